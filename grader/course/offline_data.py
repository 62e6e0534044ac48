"""Data sets and pretrained weights that course scripts download, made offline by the grader.

A question lists what it needs under ``offline_data:``; before its children start, the trusted
parent makes each item once (cached under ``<cache>/offline-data/``) and the child finds it
where torchvision looks (``grader.course.environment``):

* ``fashion-mnist``: a small FashionMNIST look-alike in the real idx-ubyte layout (512 training
  and 128 test images, 28 x 28, ten classes with a learnable pattern each). torchvision's own
  ``FashionMNIST(root, download=True)`` finds it in ``<root>/FashionMNIST/raw`` and reads it
  with its own parser; nothing is downloaded.
* ``resnet18-weights``: a stand-in for IMAGENET1K_V1, a seeded ``resnet18()``'s state dict
  saved as ``<TORCH_HOME>/hub/checkpoints/resnet18-f37072fd.pth``, where
  ``resnet18(weights='IMAGENET1K_V1')`` loads it from.

With ``full_dir`` (``grade batch --full DIR``) the real files are taken from an instructor's
folder with the same layout instead (``DIR/FashionMNIST/raw/...``, ``DIR/hub/checkpoints/...``).
"""
from __future__ import annotations

import struct
import threading
from pathlib import Path
from typing import Literal

import torch

from grader.course.transfer import RESNET18_FILE

OfflineItem = Literal["fashion-mnist", "resnet18-weights"]
FASHION_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte")
FORMAT = 2  # raise when what is generated changes
_LOCK = threading.Lock()  # batch threads share one cache


def write_idx(path: Path, array: torch.Tensor) -> None:
    """An unsigned-byte idx file (the MNIST format): magic, dimensions, then the bytes."""
    data = array.to(torch.uint8).contiguous()
    header = struct.pack(">HBB", 0, 0x08, data.dim()) + struct.pack(f">{data.dim()}I", *data.shape)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(header + data.numpy().tobytes())
    tmp.replace(path)


def fashion_like(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` 28 x 28 images and labels: class c is a brighter 8 x 8 block at its own place, over noise.

    The contrast is low enough that two epochs show a falling loss rather than one step to zero.
    """
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    images = torch.rand(n, 28, 28, generator=generator) * 120
    for i, label in enumerate(labels.tolist()):
        row, col = divmod(label, 5)
        top, left = 3 + 13 * row, 5 * col
        images[i, top:top + 8, left:left + 8] += 40 + torch.rand(8, 8, generator=generator) * 40
    order = torch.randperm(n, generator=generator)
    return images[order].clamp(0, 255), labels[order]


def _make_fashion(folder: Path) -> None:
    raw = folder / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, n, seed in (("train", 512, 1), ("t10k", 128, 2)):
        images, labels = fashion_like(n, seed)
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", labels)


def _make_resnet18(folder: Path) -> None:
    from torchvision.models import resnet18

    checkpoints = folder / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    with torch.random.fork_rng():
        torch.manual_seed(18)
        state = resnet18().state_dict()
    tmp = checkpoints / f".{RESNET18_FILE}.tmp"
    torch.save(state, tmp)
    tmp.replace(checkpoints / RESNET18_FILE)


def _ready(folder: Path, item: OfflineItem) -> bool:
    if item == "fashion-mnist":
        return all((folder / "FashionMNIST" / "raw" / name).is_file() for name in FASHION_FILES)
    return (folder / "hub" / "checkpoints" / RESNET18_FILE).is_file()


def missing_in(full_dir: Path, items: list[OfflineItem]) -> list[str]:
    """The items an instructor's ``--full`` folder lacks, each with where it should be."""
    where = {"fashion-mnist": "FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte",
             "resnet18-weights": f"hub/checkpoints/{RESNET18_FILE}"}
    return [f"{item} ({full_dir}/{where[item]})" for item in dict.fromkeys(items) if not _ready(Path(full_dir), item)]


def prepare(items: list[OfflineItem], cache: Path, full_dir: str | None = None) -> str | None:
    """Make (or find) every item; returns the folder the child reads them from (None: nothing needed)."""
    if not items:
        return None
    folder = Path(full_dir) if full_dir else cache / "offline-data" / f"v{FORMAT}"
    with _LOCK:
        for item in items:
            if not _ready(folder, item):
                if full_dir:
                    raise FileNotFoundError(f"--full: missing {', '.join(missing_in(folder, [item]))}")
                (_make_fashion if item == "fashion-mnist" else _make_resnet18)(folder)
    return str(folder.resolve())
