"""The floor under the harness overhead: the grader's own per-probe work for one file, warm and in a fresh fork.

A child runs each probe through ``entry.run_probe``: its inputs generated, seeded, run (the student's code,
timed), encoded, run a second time when short and compared, then packed and framed. Here the same calls run
in this process on a submission's file, with no sandbox and no fork server, to say what that work costs
(the probe's wall time less the first run's student code, summed over the file's probes):

* in a warm process: the loop run until its caches are hot, the best a child could ever do;
* in the first pass of a fresh fork of that warm process: what a child starts from (each page the pass
  writes is first copied from the parent, and its caches are cold);
* the same with the pages a scout learnt from the stand-in's run copied and mapped first, as a spare of the fork
  server with a free core does while it waits (``prefault``);
* in the warm process with no second runs, as the reference's own runs go (``keep_whole``): for a measure only
  (they are how unstable answers are caught).

Driver probes (the course's training and measurement runs) are left out: they are the student's code.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WARM_PASSES = 20


@contextmanager
def _imported(folder: Path, chosen: str) -> Iterator[object]:
    """The student's file imported in this process, from a copy of it alone (the example imports nothing of its
    folder's)."""
    from grader.sandbox.child import entry
    from grader.sandbox.protocol import ChildRequest

    work = Path(tempfile.mkdtemp(prefix="grader-floor-"))
    shutil.copy(folder / chosen, work / chosen)
    sys.path.insert(0, str(work))
    try:
        request = ChildRequest(module_file=chosen, source=str(work), workdir=str(work), box=str(work), probes=[])
        yield entry._import_student(request)
    finally:
        sys.path.remove(str(work))
        sys.modules.pop(Path(chosen).stem, None)
        shutil.rmtree(work, ignore_errors=True)


def _one_pass(module, probes, torch, keep_whole: bool = False) -> float:
    """Milliseconds of the grader's own work over ``probes``: each probe's wall time less its first run's
    (``keep_whole``: run as the reference's probes are, once each)."""
    from grader.course import environment
    from grader.observe import pack_reply
    from grader.sandbox.child import adapt, entry
    from grader.sandbox.child.tracing import ImportLosses
    from grader.sandbox.protocol import ChildRequest

    request = ChildRequest(module_file="f.py", source="/", workdir="/", box="/", probes=probes, keep_whole=keep_whole)
    state = environment.TorchState.capture(torch, threads=1)
    claimed, losses = adapt.claimed_names(probes), ImportLosses([p.losses for p in probes])
    harness = 0.0
    for probe in probes:
        started = time.perf_counter()
        payload, tensors = entry.run_probe(module, probe, request, torch, state, losses, claimed)
        pack_reply(payload, tensors)
        harness += time.perf_counter() - started - payload["seconds"]
    return 1000 * harness


def _first_pass_in_a_fork(module, probes, torch, learnt=None) -> float:
    from grader.sandbox.parent import prefault

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            quiet, _ = socket.socketpair()  # nothing ever arrives on it
            prefault.ahead(learnt or prefault.Learnt(), quiet)
            os.write(write_end, struct.pack("d", _one_pass(module, probes, torch)))
        finally:
            os._exit(0)
    os.close(write_end)
    data = os.read(read_end, 8)
    os.close(read_end)
    os.waitpid(pid, 0)
    return struct.unpack("d", data)[0]


def harness_floor(rubric: Path, submission: Path) -> dict[str, tuple[float, float, float, float]]:
    """Per question: milliseconds of the grader's own per-probe work for ``submission``'s file, warm / first pass
    of a fresh fork of the warm process / the same with the learnt pages copied and mapped first (medians of 5) /
    warm with no second runs."""
    import torch

    from grader.assignments import find_assignment
    from grader.plan import GradingPlan
    from grader.sandbox.child import entry
    from grader.sandbox.parent import prefault, rehearsal

    entry.torch_settings()
    plan = GradingPlan.build(find_assignment(str(rubric)))
    floors = {}
    for qplan in plan:
        probes = [p for p in qplan.probes("student") if not any(step.driver for step in p.steps)]
        with _imported(submission, plan.chosen_file(qplan, submission)) as module:
            passes = [_one_pass(module, probes, torch) for _ in range(WARM_PASSES)]
            warm = statistics.median(passes[WARM_PASSES // 2:])
            forked = statistics.median(_first_pass_in_a_fork(module, probes, torch) for _ in range(5))
            learnt = prefault.learn(lambda: rehearsal.run_as_a_fresh_child(probes), prefault.Learnt())
            copied = statistics.median(_first_pass_in_a_fork(module, probes, torch, learnt) for _ in range(5))
            once = statistics.median(_one_pass(module, probes, torch, keep_whole=True) for _ in range(WARM_PASSES // 2))
        floors[qplan.question.id] = (warm, forked, copied, once)
    return floors


if __name__ == "__main__":  # python benchmarks/floor.py RUBRIC SUBMISSION: the floors as JSON
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(json.dumps(harness_floor(Path(sys.argv[1]), Path(sys.argv[2]))))
