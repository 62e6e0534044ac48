"""The grader and the children it starts are scheduled as batch work (no preemption on waking)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file
from grader.sandbox.parent.scheduling import as_batch_work
from grader.sandbox.protocol import Probe, Step
from tests.conftest import ROOT


def in_a_default_thread(work: Callable[[], object]) -> object:
    """``work()``'s answer, run in a thread scheduled with the default policy (an earlier test in this process may
    have run the command, which sets its own thread's)."""
    answer = []

    def run() -> None:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        answer.append(work())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return answer[0]


def test_a_fork_server_child_runs_as_batch_work_whoever_started_the_grader(tmp_path: Path) -> None:
    (tmp_path / "q.py").write_text("import os\ndef policy():\n    return os.sched_getscheduler(0)\n")
    probes = [Probe(id="p", steps=[Step(call="policy", observe="v")])]

    def grade() -> object:
        with ForkServerLauncher(1) as launcher:
            return run_file("q.py", tmp_path, probes, launcher=launcher)

    observed = in_a_default_thread(grade)
    assert observed.probes["p"].values["v"].number == os.SCHED_BATCH


def test_the_command_runs_its_verb_as_batch_work() -> None:
    code = ("import os; from grader.cli import main; main(['validate', 'rubrics/comp4901y-hw1.yaml']); "
            "print('policy', os.sched_getscheduler(0))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines()[-1] == f"policy {os.SCHED_BATCH}", done.stderr[-2000:]


def test_the_policy_is_the_calling_threads_and_keeps_its_nice_value() -> None:
    def switch() -> tuple:
        before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        as_batch_work()
        return os.sched_getscheduler(0), before, os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def switch_in_another_thread() -> tuple:
        return in_a_default_thread(switch), os.sched_getscheduler(0)

    (policy, before, after), callers = in_a_default_thread(switch_in_another_thread)
    assert policy == os.SCHED_BATCH and before == after
    assert callers == os.SCHED_OTHER  # the thread that started it is left as it was
