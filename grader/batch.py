"""The one batch engine: grade a list of submissions with a pool of children and store each result.

A local ``grade batch`` and every Slurm array task run ``grade_work``; they differ only in who
calls it (``commands/batch.py`` here, ``cluster.run_job`` on a node). A ``BatchJob`` is plain
data, so it travels to a node whole.
"""
from __future__ import annotations

import os
import signal
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, Field

from grader.assignments import find_assignment
from grader.diagnosis.known import KnownMistake
from grader.diagnosis.mutant_runs import MistakesLater
from grader.grading import GradingOptions, grade_submission
from grader.next_in_line import NextInLine
from grader.observe import FileObservations
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.render.csv import write_marks_csv
from grader.render.html import write_index, write_report
from grader.results import Result
from grader.sandbox.parent.launcher import Launcher
from grader.course.preloads import course_imports, preload_students_later
from grader.sandbox.parent.pool import make_launcher
from grader.stop_signals import SETTLE_SECONDS, StopSignals, process_age
from grader.store import BatchStore


class StudentWork(BaseModel):
    """One submission to grade: its student name, folder and the fingerprint its result will carry."""

    student: str
    folder: str
    fingerprint: str


class BatchJob(BaseModel):
    """Everything a grading run needs besides the plan: where, what, how many at once."""

    assignment: str = Field(description="assignment name or rubric path, resolved in `workdir`")
    workdir: str
    out: str
    device: str = "cpu"
    jobs: int = Field(1, ge=1, description="submissions graded at once")
    launcher: str = "auto"
    options: GradingOptions = Field(default_factory=GradingOptions)
    force: bool = Field(False, description="grade again even a student whose stored result is current")
    students: list[StudentWork] = Field(default_factory=list)


class Outcome(BaseModel):
    """What a run did: the students it graded, those the grader failed on (with the traceback), and the
    signal that stopped it early ('' when it ran to the end; what it had not stored stays pending)."""

    graded: list[str] = Field(default_factory=list)
    failed: dict[str, str] = Field(default_factory=dict)
    stopped: str = ""
    seconds: float = Field(0.0, description="how long the process had run when the run ended")


@dataclass
class Undone:
    """What a batch left undone: ``{student: why}``, those the grader failed on (the rest stay pending
    for the next run), and how the batch ended."""

    not_graded: dict[str, str] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    state: str = "finished"

    def add(self, student: str, how: str, why: str) -> None:
        """Note one submission left undone; the batch's state is the gravest of its tasks' ends."""
        self.not_graded[student] = why
        if how == "failed":
            self.failed.append(student)
        order = ["finished", "cancelled", "timed out", "failed"]
        self.state = max(self.state, how, key=order.index)


Progress = Callable[[str, Result | None], None]


def grade_work(job: BatchJob, plan: GradingPlan, reference: dict[str, FileObservations], launcher: Launcher,
               progress: Progress | None = None,
               mistakes: Mapping[str, list[KnownMistake]] | None = None) -> Outcome:
    """Grade ``job.students`` ``job.jobs`` at a time; store each result and its report as it is done
    (``mistakes``: the reference's mutants per question, to name the mistake a failed check matches).
    A student whose stored result is already current (a retried task) is skipped, unless ``job.force``. A stop signal
    (``StopSignals``) ends the run: nothing is stored after it, and what was not stored stays pending. A result with
    errors, and a failure of the grader itself, wait ``SETTLE_SECONDS`` first: the signal may have reached a child or
    the fork server a moment before this process."""
    store = BatchStore(Path(job.out))
    outcome = Outcome()

    def keep(result: Result) -> Result:
        store.save(result)
        write_report(store.report_path(result.student), result)
        return result

    def one(work: StudentWork, stop: StopSignals) -> Result | _Settling | None:
        if stop.requested():
            raise _NotStored
        if not job.force and store.is_current(work.student, work.fingerprint):
            return None
        result = grade_submission(plan, Path(work.folder), reference, launcher=launcher, student=work.student,
                                  options=job.options, mistakes=mistakes, next_in_line=in_line)
        result.fingerprint = work.fingerprint
        if any(c.status == "error" for q in result.questions for c in q.checks):
            return _Settling(time.monotonic() + SETTLE_SECONDS, result)  # the worker goes on to the next one
        if stop.requested():
            raise _NotStored
        return keep(result)

    by_folder = {Path(work.folder): work for work in job.students}
    in_line = NextInLine(list(by_folder), lambda folder: job.force or not store.is_current(
        by_folder[folder].student, by_folder[folder].fingerprint))
    pool = ThreadPoolExecutor(max_workers=job.jobs)
    settling: dict[str, tuple[float, Callable[[], Result | None], StudentWork]] = {}
    try:
        with StopSignals() as stop:
            waiting = {pool.submit(one, work, stop): work for work in job.students}
            while (waiting or settling) and not stop.requested():
                due = min((due for due, _, _ in settling.values()), default=time.monotonic() + 1.0)
                timeout = min(1.0, max(0.0, due - time.monotonic()))
                if waiting:
                    finished, _ = wait(waiting, timeout=timeout, return_when=FIRST_COMPLETED)
                else:
                    finished = set()
                    stop.requested(wait=timeout)
                for future in finished:
                    work = waiting.pop(future)
                    if future.exception() is not None and not isinstance(future.exception(), _NotStored):
                        # the grader failed: perhaps because the stop signal reached its fork server first
                        settling[work.student] = (time.monotonic() + SETTLE_SECONDS, future.result, work)
                    elif future.exception() is None and isinstance(future.result(), _Settling):
                        pending = future.result()
                        settling[work.student] = (pending.due, lambda pending=pending: keep(pending.result), work)
                    else:
                        _record(outcome, work, future.result, progress)
                for student, (due, result_of, work) in list(settling.items()):
                    if due <= time.monotonic() and not stop.requested():
                        del settling[student]
                        _record(outcome, work, result_of, progress)
            outcome.stopped = stop.stopped
    finally:
        in_line.close()  # children started early for submissions never begun (a stop) leave
    # after a stop, children being graded are dying with the task: their threads are not waited for
    pool.shutdown(wait=not outcome.stopped, cancel_futures=True)
    outcome.seconds = process_age()
    return outcome


@dataclass
class _Settling:
    """A result with errors in it, stored only once ``due`` has passed with no stop signal: a child killed by the
    signal that stops the run may die a moment before the grader hears of it (``SETTLE_SECONDS``)."""

    due: float
    result: Result


class _NotStored(Exception):
    """A submission left pending because the run was stopped."""


def _record(outcome: Outcome, work: StudentWork, result_of: Callable[[], Result | None],
            progress: Progress | None) -> None:
    try:
        result = result_of()
    except _NotStored:
        return
    except Exception:  # noqa: BLE001 - one failure must not stop the batch
        outcome.failed[work.student] = traceback.format_exc()
        result = None
    else:
        outcome.graded.append(work.student)
    if progress:
        progress(work.student, result)


def run_job(job: BatchJob) -> Outcome:
    """A whole run on its own (an array task on a node): plan, launcher pool, reference, then ``grade_work``."""
    # submitit asks Slurm for SIGUSR2 before the time limit and treats it as the end of the task; grading
    # goes on until the limit itself, and the children (started below) inherit the signal's being ignored
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    os.chdir(job.workdir)
    plan = GradingPlan.build(find_assignment(job.assignment), job.device)
    with make_launcher(job.launcher, size=job.jobs, preload=course_imports(plan)) as launcher:
        preload_students_later(launcher, plan, [Path(work.folder) for work in job.students])
        reference, _ = reference_observations(plan, launcher)
        return grade_work(job, plan, reference, launcher, mistakes=MistakesLater(plan, reference, launcher, job.jobs))


def write_class_files(store: BatchStore, results: list[Result]) -> None:
    """Class-wide files, from every stored result: marks.csv and index.html."""
    write_marks_csv(store.marks_path, results)
    write_index(store.index_path, results)
