"""Resumable batches: a grader killed mid-batch loses no result, duplicates none, half-writes none."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.assignments import find_assignment
from grader.cli import main
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from tests.conftest import some_examples

pytestmark = pytest.mark.slow


def _parents() -> dict[int, int]:
    """``{pid: parent pid}`` of every process."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found[int(pid)] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return found


def family(root: int) -> set[int]:
    """``root`` and every process descending from it."""
    parents, found = _parents(), {root}
    while grown := {pid for pid, parent in parents.items() if parent in found} - found:
        found |= grown
    return found


def grader_processes(owners: set[int]) -> list[int]:
    """Processes still inside a cgroup that one of ``owners`` made for a child (named ``<owner pid>-...``); other
    graders running on the machine at the same time are not counted."""
    pattern = re.compile(r"/torch-grader/(\d+)-")
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            text = Path(f"/proc/{pid}/cgroup").read_text()
        except OSError:
            continue
        if any(int(owner) in owners for owner in pattern.findall(text)):
            found.append(int(pid))
    return found


def test_sigkill_mid_batch_then_rerun(tmp_path, capsys):
    names = ["alice_correct", "dave_transposed_grad", "frank_syntax_error", "grace_missing_function"]
    subs, out = some_examples(tmp_path / "subs", names), tmp_path / "out"
    reference_observations(GradingPlan.build(find_assignment("comp4901y-hw1")))  # the batch starts grading at once
    command = [sys.executable, "-m", "grader.cli", "batch", "comp4901y-hw1", str(subs), "--out", str(out), "-j", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(list((out / "results").glob("*.json"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    owners = family(proc.pid)  # the grader and its fork server, which made the children's cgroups
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    survivors_before = len(list((out / "results").glob("*.json")))
    assert 2 <= survivors_before < 4
    time.sleep(1.0)
    assert len(owners) >= 2 and grader_processes(owners) == [], "children outlived their grader"

    capsys.readouterr()
    assert main(["batch", "comp4901y-hw1", str(subs), "--out", str(out)]) == 0
    assert f"{survivors_before} kept from an earlier run" in capsys.readouterr().out
    files = sorted((out / "results").iterdir())
    assert [p.name for p in files] == [f"{name}.json" for name in names]
    for path in files:
        assert json.loads(path.read_text())["student"] == path.stem


def test_changed_submission_is_regraded_and_force_regrades_all(graded_examples, tmp_path, capsys):
    names = ["alice_correct", "frank_syntax_error", "grace_missing_function"]
    subs, out = some_examples(tmp_path / "subs", names), tmp_path / "out"
    shutil.copytree(graded_examples[1], out)  # every example's result: those of students not handed in are ignored
    capsys.readouterr()
    (subs / "grace_missing_function" / "question2_result.pdf").write_bytes(b"%PDF-1.4\n% late hand-in\n")
    assert main(["batch", "comp4901y-hw1", str(subs), "--out", str(out)]) == 0
    assert "Graded 1 of 3 submissions of comp4901y-hw1, 2 kept" in capsys.readouterr().out
    grace = json.loads((out / "results" / "grace_missing_function.json").read_text())
    assert grace["total"] == 38.75
    before = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert main(["batch", "comp4901y-hw1", str(subs), "--out", str(out), "--force"]) == 0
    assert "Graded 3 of 3" in capsys.readouterr().out
    after = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    assert len(before) == 7  # the results of students not in the folder are left as they were
    assert sorted(name for name in before if after[name] > before[name]) == [f"{name}.json" for name in names]
