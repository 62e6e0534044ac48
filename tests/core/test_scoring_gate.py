"""The scoring thread's work held until the gate opens: nothing runs before, everything runs after, in order, and
each task's answer (or its exception) reaches the Future handed out when it was submitted."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from grader.scoring_gate import ScoringGate


def test_held_tasks_run_only_once_opened_in_the_order_they_came():
    ran: list[int] = []
    with ThreadPoolExecutor(1) as pool:
        gate = ScoringGate(pool, held=True)
        answers = [gate.submit(lambda i=i: ran.append(i) or i * i) for i in range(5)]
        threading.Event().wait(0.05)
        assert ran == [] and not any(a.done() for a in answers)
        gate.open()
        assert [a.result(timeout=5) for a in answers] == [0, 1, 4, 9, 16]
        assert ran == [0, 1, 2, 3, 4]
        assert gate.submit(lambda: "at once").result(timeout=5) == "at once"  # open from now on


def test_an_exception_reaches_the_future_handed_out():
    def broken() -> None:
        raise ValueError("a check that raised")

    with ThreadPoolExecutor(1) as pool:
        gate = ScoringGate(pool, held=True)
        answer = gate.submit(broken)
        gate.open()
        with pytest.raises(ValueError, match="a check that raised"):
            answer.result(timeout=5)


def test_an_open_gate_submits_at_once():
    with ThreadPoolExecutor(1) as pool:
        gate = ScoringGate(pool, held=False)
        assert gate.submit(lambda: 42).result(timeout=5) == 42
