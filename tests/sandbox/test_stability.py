"""Same files, same marks: uninitialised memory reads as NaN in every probe, whatever the student's code
switches off, and a probe whose answer depends on it is flagged."""
from __future__ import annotations

import textwrap
from pathlib import Path

import torch

from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import Probe, Step

SWITCHED_OFF = """
import warnings
import torch
torch.use_deterministic_algorithms(False)  # what a script copied from a speed tip does
warnings.resetwarnings()
warnings.simplefilter("error")  # every warning an exception, the grader's own included

def scratch():
    return torch.empty(64, 64)

def switch_off_then_scratch():
    torch.use_deterministic_algorithms(True)  # strict mode: an op without a deterministic kernel raises
    torch.utils.deterministic.fill_uninitialized_memory = False
    return torch.empty(64, 64)
"""


def probe(probe_id: str, name: str) -> Probe:
    return Probe(id=probe_id, timeout=5, steps=[Step(call=name, observe="out")])


def test_uninitialised_memory_is_filled_whatever_the_student_switched_off(tmp_path: Path) -> None:
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text(textwrap.dedent(SWITCHED_OFF))
    probes = [probe("first", "scratch"), probe("switch", "switch_off_then_scratch"), probe("after", "scratch")]
    obs = run_file("q.py", folder, probes, import_timeout=20)
    assert obs.imported.status == "ok", obs.imported.detail
    assert obs.probes["switch"].status == "ok"  # strict mode did not make the grader's own steps raise
    for probe_id in ("first", "after"):  # switched off at import, and inside an earlier probe: filled again
        observed = obs.probes[probe_id]
        assert observed.status == "ok", (probe_id, observed.error)
        assert torch.isnan(observed.values["out"].tensor).all(), probe_id  # so the same at every regrade
