"""How the tests measure what a child copies from its fork server: a fresh interpreter (``in_a_fresh_interpreter``)
sets itself up as a fork server would, then forks children that import a correct question 1 of comp4901y-hw1 and
run its probes, each counting the pages it writes meanwhile (minor faults, ``pages_written``). The scripts import
this module in that interpreter; it imports the grader only when called, so a script chooses what comes first."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}


def question1_probes() -> list:
    """comp4901y-hw1's question 1 probes, as a student's file gets them."""
    from grader.assignments import find_assignment
    from grader.plan import GradingPlan

    return GradingPlan.build(find_assignment("comp4901y-hw1")).questions["question1"].probes("student")


def pages_written(before: Callable[[], object] = lambda: None) -> list:
    """In a child forked now: ``before()``, then a correct question 1 imported and its probes run; ``[pages written
    by the probes, each probe's status, what before() returned]``."""
    import torch

    from grader.course import environment
    from grader.sandbox.child import adapt
    from grader.sandbox.child.entry import run_probe, torch_settings
    from grader.sandbox.child.tracing import ImportLosses
    from grader.sandbox.protocol import ChildRequest

    probes = question1_probes()
    folder = ROOT / "submissions_example" / "comp4901y-hw1" / "alice_correct"
    request = ChildRequest(module_file="question1.py", source=str(folder), workdir=str(folder), box="/tmp",
                           probes=probes)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        before_said = before()
        torch_settings()
        sys.path.insert(0, str(folder))
        import question1
        state = environment.TorchState.capture(torch, threads=1)
        losses, claimed = ImportLosses([p.losses for p in probes]), adapt.claimed_names(probes)
        start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        statuses = [run_probe(question1, p, request, torch, state, losses, claimed)[0]["status"] for p in probes]
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - start
        os.write(write, json.dumps([faults, statuses, before_said]).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    report = json.loads(os.read(read, 1 << 16))
    os.close(read)
    return report


def in_a_fresh_interpreter(script: str) -> object:
    """What ``script`` prints last, as JSON, run by a fresh interpreter with one thread for torch."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=ENV,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
