"""A result with errors, or a failure of the grader, waits a moment before it is stored (a stop signal may be on its
way), without holding up the worker that graded it."""
from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from grader import batch
from grader.batch import BatchJob, StudentWork, grade_work
from grader.results import CheckResult, QuestionResult, Result
from grader.stop_signals import SETTLE_SECONDS


def _result(student: str, status: str) -> Result:
    check = CheckResult(id="c", kind="value", points=0.0 if status == "error" else 1.0, max_points=1.0,
                        status=status, message="raised ValueError" if status == "error" else "ok")
    question = QuestionResult(id="q", points=check.points, max_points=1.0, checks=[check])
    return Result(student=student, assignment="a", total=check.points, max_total=1.0, questions=[question],
                  sandbox=[], grader_version="test")


@pytest.fixture
def graded(monkeypatch):
    """grade_submission replaced by one that answers at once: an error for students named err*, and a failure of
    the grader (its fork server gone) for those named boom*."""
    calls: list[tuple[str, float]] = []

    def fake(plan, folder, reference, **kwargs):
        calls.append((kwargs["student"], time.monotonic()))
        if kwargs["student"].startswith("boom"):
            raise RuntimeError("the fork server closed its socket")
        return _result(kwargs["student"], "error" if kwargs["student"].startswith("err") else "pass")

    monkeypatch.setattr(batch, "grade_submission", fake)
    return calls


def _job(tmp_path, names: list[str]) -> BatchJob:
    return BatchJob(assignment="a", workdir=str(tmp_path), out=str(tmp_path / "out"), jobs=1,
                    students=[StudentWork(student=n, folder=str(tmp_path), fingerprint=f"fp-{n}") for n in names])


def test_results_with_errors_are_stored_after_the_settling_time_and_the_worker_goes_on(tmp_path, graded):
    started = time.monotonic()
    outcome = grade_work(_job(tmp_path, ["err1", "err2", "fine"]), None, {}, None)
    assert sorted(outcome.graded) == ["err1", "err2", "fine"] and not outcome.failed
    assert sorted(p.stem for p in (tmp_path / "out" / "results").glob("*.json")) == ["err1", "err2", "fine"]
    (_, first), (_, second), (_, third) = graded
    assert third - first < SETTLE_SECONDS / 2  # the worker did not wait for err1's result to settle
    assert time.monotonic() - started >= SETTLE_SECONDS


def test_a_stop_signal_while_a_result_settles_leaves_it_unstored(tmp_path, graded):
    threading.Timer(SETTLE_SECONDS / 5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    outcome = grade_work(_job(tmp_path, ["err1"]), None, {}, None)
    assert outcome.stopped == "SIGTERM" and outcome.graded == []
    assert not list((tmp_path / "out").rglob("*.json"))  # err1 stays pending for the next run


def test_a_grader_failure_is_recorded_after_the_settling_time(tmp_path, graded):
    started = time.monotonic()
    outcome = grade_work(_job(tmp_path, ["boom1", "fine"]), None, {}, None)
    assert list(outcome.failed) == ["boom1"] and "fork server closed" in outcome.failed["boom1"]
    assert outcome.graded == ["fine"] and time.monotonic() - started >= SETTLE_SECONDS


def test_a_grader_failure_just_before_a_stop_signal_leaves_the_student_pending(tmp_path, graded):
    """Slurm signals a task's processes one by one: the fork server can die of the signal, and the file being graded
    fail with it, a moment before the grader hears the signal. That failure is the stop's, not the student's."""
    threading.Timer(SETTLE_SECONDS / 5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    outcome = grade_work(_job(tmp_path, ["boom1"]), None, {}, None)
    assert outcome.stopped == "SIGTERM" and outcome.failed == {} and outcome.graded == []
