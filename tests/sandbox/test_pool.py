"""The fork server gives exactly the results a fresh interpreter per child gives."""
from __future__ import annotations

import json

import pytest

from grader.cli import main
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

VOLATILE = {"seconds", "launcher"}


def strip(result: dict) -> dict:
    """Everything but timings and the launcher's name."""
    kept = {k: v for k, v in result.items() if k not in VOLATILE}
    kept["questions"] = [{k: v for k, v in q.items() if k != "code_seconds"} for q in result["questions"]]
    return kept


def test_fork_server_and_spawn_agree_on_the_examples(graded_examples, tmp_path):
    code, pooled = graded_examples
    assert main(["batch", "comp4901y-hw1", str(EXAMPLES), "--out", str(tmp_path), "--launcher", "spawn"]) == 0
    for path in sorted((pooled / "results").glob("*.json")):
        forked = json.loads(path.read_text())
        spawned = json.loads((tmp_path / "results" / path.name).read_text())
        assert forked["launcher"] == "fork-server" and spawned["launcher"] == "spawn"
        assert strip(forked) == strip(spawned), path.stem


def test_a_killed_fork_server_is_replaced(tmp_path):
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.protocol import Probe, Step
    from grader.sandbox.parent.runner import run_file

    (tmp_path / "q.py").write_text("import os, signal\ndef kill_parent():\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                                   "def fine():\n    return 1\n")
    probes = [Probe(id="k", steps=[Step(call="kill_parent")]), Probe(id="f", steps=[Step(call="fine", observe="v")])]
    with ForkServerLauncher(1) as launcher:
        first = run_file("q.py", tmp_path, probes, launcher=launcher)
        again = run_file("q.py", tmp_path, probes[1:], launcher=launcher)
    assert first.probes["f"].values["v"].number == 1
    assert again.probes["f"].values["v"].number == 1


def test_the_second_fork_server_imports_torch_only_once_the_first_is_warm(tmp_path):
    """On a small machine the first result should not wait for every fork server's imports at once."""
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.protocol import Probe, Step
    from grader.sandbox.parent.runner import run_file

    (tmp_path / "q.py").write_text("def fine():\n    return 1\n")
    probes = [Probe(id="f", steps=[Step(call="fine", observe="v")])]
    with ForkServerLauncher(2) as launcher:
        first, second = launcher._all
        first.wait_ready()
        assert "libtorch_cpu" not in Path(f"/proc/{second.proc.pid}/maps").read_text()  # told nothing yet: idle
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: run_file("q.py", tmp_path, probes, launcher=launcher), range(4)))
        assert second.ready and "libtorch_cpu" in Path(f"/proc/{second.proc.pid}/maps").read_text()
    assert [a.probes["f"].values["v"].number for a in answers] == [1, 1, 1, 1]
