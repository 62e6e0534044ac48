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


def test_one_fork_server_runs_the_workers_children_side_by_side(tmp_path):
    """``-j 2`` shares one zygote (one torch in memory): its two spares serve two requests at once."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.protocol import Probe, Step
    from grader.sandbox.parent.runner import run_file

    (tmp_path / "q.py").write_text("import time\ndef span():\n    start = time.time()\n    time.sleep(1.5)\n"
                                   "    return [start, time.time()]\n")
    probes = [Probe(id="s", steps=[Step(call="span", observe="v")], timeout=10)]
    with ForkServerLauncher(2) as launcher:
        launcher._ready_zygote()
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: run_file("q.py", tmp_path, probes, launcher=launcher), range(2)))
        assert len(launcher._all) == 1
    (a0, a1), (b0, b1) = ([i.number for i in a.probes["s"].values["v"].items] for a in answers)
    assert a0 < b1 and b0 < a1  # the two calls overlapped in time
    assert time.time() > max(a1, b1)


def test_modules_named_for_preloading_are_in_every_child(tmp_path):
    """What the course imports (``preload``) is imported once by the zygote, before the requests that follow:
    a child finds it in ``sys.modules`` before its own file imports anything."""
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.protocol import Probe, Step
    from grader.sandbox.parent.runner import run_file

    (tmp_path / "q.py").write_text("import sys\nLOADED = sorted(m for m in ('colorsys', 'wave') if m in sys.modules)\n")
    probes = [Probe(id="r", steps=[Step(read="LOADED", observe="v")])]
    loaded = {}
    for preload in ([], ["colorsys", "no_such_module_anywhere"]):
        with ForkServerLauncher(1, preload=preload) as launcher:
            values = run_file("q.py", tmp_path, probes, launcher=launcher).probes["r"].values["v"]
        loaded[len(preload)] = [i.text for i in values.items]
    assert loaded == {0: [], 2: ["colorsys"]}
