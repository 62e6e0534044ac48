"""Offline stand-ins for downloads: a FashionMNIST look-alike read by torchvision itself, resnet18 weights."""
from __future__ import annotations

import pytest
import torch

from grader.cli import main
from grader.course.offline_data import RESNET18_FILE, missing_in, prepare
from tests.conftest import run_with_course_env


@pytest.fixture(scope="module")
def offline_root(tmp_path_factory) -> str:
    return prepare(["fashion-mnist", "resnet18-weights"], tmp_path_factory.mktemp("cache"))


def test_fixture_is_read_by_torchvisions_own_fashion_mnist(offline_root):
    from torchvision.datasets import FashionMNIST

    train = FashionMNIST(root=offline_root, train=True, download=False)
    test = FashionMNIST(root=offline_root, train=False, download=False)
    assert (len(train), len(test)) == (512, 128)
    image, label = train[0]
    assert image.size == (28, 28) and 0 <= label < 10
    assert torch.bincount(train.targets).tolist() == [52] * 2 + [51] * 8  # 512 images over ten classes
    means = torch.stack([train.data[train.targets == c].float().mean(0) for c in range(10)])
    assert (means.flatten(1).argmax(1).unique().numel()) == 10, "each class is brightest in its own place"


def test_pretrained_resnet18_loads_the_stand_in_weights_offline(offline_root, monkeypatch):
    from torchvision.models import resnet18

    monkeypatch.setenv("TORCH_HOME", offline_root)
    model = resnet18(weights="IMAGENET1K_V1")  # would download 45 MB without the stand-in
    saved = torch.load(f"{offline_root}/hub/checkpoints/{RESNET18_FILE}", weights_only=True)
    assert torch.equal(model.layer1[0].conv1.weight, saved["layer1.0.conv1.weight"])


def test_a_script_finds_the_data_under_its_own_root(offline_root, tmp_path):
    printed = run_with_course_env("""
        from pathlib import Path
        from torchvision import datasets
        train = datasets.FashionMNIST(root="data", train=True, download=True)
        print(len(train), sorted(p.name for p in Path("data/FashionMNIST/raw").iterdir()))
    """, tmp_path, offline_root)
    assert printed.startswith("512 ['t10k-images-idx3-ubyte'")


def test_full_mode_names_what_an_instructors_folder_lacks(tmp_path, capsys):
    (tmp_path / "hub" / "checkpoints").mkdir(parents=True)
    (tmp_path / "hub" / "checkpoints" / RESNET18_FILE).write_bytes(b"real weights")
    assert missing_in(tmp_path, ["resnet18-weights"]) == []
    assert missing_in(tmp_path, ["fashion-mnist", "resnet18-weights"]) == [
        f"fashion-mnist ({tmp_path}/FashionMNIST/raw/{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte)"]
    code = main(["batch", "comp4901y-hw1", str(tmp_path), "--out", str(tmp_path / "out"), "--full", str(tmp_path)])
    assert code == 2 and "--full: " in capsys.readouterr().out
