"""Each sandbox layer is what stops its attack: switched off, the attack gets through and the
report says the layer is missing; switched on, it is stopped."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.sandbox.layers.landlock import abi_version
from tests.conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"


def course(tmp_path: Path, code: str) -> Path:
    shutil.copytree(HOSTILE / "rubrics", tmp_path / "rubrics")
    shutil.copytree(HOSTILE / "reference", tmp_path / "reference")
    (tmp_path / "subs" / "student").mkdir(parents=True)
    (tmp_path / "subs" / "student" / "question1.py").write_text(code)
    return tmp_path


def grade(tmp_path: Path, *without: str) -> dict:
    out = tmp_path / ("out-" + "-".join(without))
    args = ["batch", "hostile", "subs", "--out", str(out)] + [f"--without={layer}" for layer in without]
    assert main(args) == 0
    return json.loads((out / "results" / "student.json").read_text())


def add_check(result: dict) -> dict:
    return result["questions"][0]["checks"][0]


@pytest.mark.skipif(abi_version() < 1, reason="Landlock is not available on this kernel")
def test_landlock_is_what_stops_reading_the_reference(tmp_path, monkeypatch, capsys):
    reference = tmp_path / "reference" / "hostile" / "question1.py"
    course(tmp_path, f"import torch\ndef double(a):\n    return 2 * a\ndef add(a, b):\n"
                     f"    open({str(reference)!r}).read()\n    return a + b\n")
    monkeypatch.chdir(tmp_path)
    confined = grade(tmp_path, "tmpfs-quota")  # with the tmpfs on, the child's /tmp is its own: nothing to find there
    assert add_check(confined)["status"] == "error" and "Permission denied" in add_check(confined)["message"]
    open_door = grade(tmp_path, "landlock", "tmpfs-quota")
    assert add_check(open_door)["status"] == "pass"
    assert "landlock (switched off)" in open_door["sandbox_missing"]
    assert not any(layer.startswith("landlock") for layer in open_door["sandbox"])
    assert "sandbox layers missing: landlock (switched off)" in capsys.readouterr().out
    page = (tmp_path / "out-landlock-tmpfs-quota" / "reports" / "student.html").read_text()
    assert "Missing layers:" in page and "landlock (switched off)" in page


def test_a_memory_bomb_is_stopped_by_rlimits_and_without_them_by_the_memory_cgroup(tmp_path, monkeypatch):
    """Uninitialised memory is filled (so that regrades agree), so a 3 GB ``torch.empty`` is really used: the
    address-space limit refuses it first; with rlimits off, the 1 GB memory cgroup stops the child. Filling 1 GB
    and being killed takes ~0.3 s alone, but in a full parallel test run the child has gone past the hostile
    rubric's 3 s limit before the cgroup stopped it, so the rubric gets a generous one here: the time limit is not
    what this tests."""
    course(tmp_path, "import torch\ndef double(a):\n    return 2 * a\ndef add(a, b):\n"
                     "    block = torch.empty(3 * 1024**3, dtype=torch.uint8)\n    return a + b\n")
    rubric = tmp_path / "rubrics" / "hostile.yaml"
    rubric.write_text(rubric.read_text().replace("timeout: 3\n", "timeout: 30\n", 1))
    monkeypatch.chdir(tmp_path)
    assert "can't allocate memory" in add_check(grade(tmp_path))["message"]
    assert "used more than its memory limit of 1024 MB" in add_check(grade(tmp_path, "rlimits"))["message"]
