"""The one batch engine: grade a list of submissions with a pool of children and store each result.

A local ``grade batch`` and every Slurm array task run ``grade_work``; they differ only in who
calls it (``commands/batch.py`` here, ``cluster.run_job`` on a node). A ``BatchJob`` is plain
data, so it travels to a node whole.
"""
from __future__ import annotations

import os
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, Field

from grader.assignments import find_assignment
from grader.grading import GradingOptions, grade_submission
from grader.observe import FileObservations
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.render.csv import write_marks_csv
from grader.render.html import write_index, write_report
from grader.results import Result
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.parent.pool import make_launcher
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
    students: list[StudentWork] = Field(default_factory=list)


class Outcome(BaseModel):
    """What a run did: the students it graded and those the grader failed on (with the traceback)."""

    graded: list[str] = Field(default_factory=list)
    failed: dict[str, str] = Field(default_factory=dict)


Progress = Callable[[str, Result | None], None]


def grade_work(job: BatchJob, plan: GradingPlan, reference: dict[str, FileObservations], launcher: Launcher,
               progress: Progress | None = None) -> Outcome:
    """Grade ``job.students`` ``job.jobs`` at a time; store each result and its report as it is done.
    A student whose stored result is already current (a retried task) is skipped."""
    store = BatchStore(Path(job.out))
    outcome = Outcome()

    def one(work: StudentWork) -> Result | None:
        if store.is_current(work.student, work.fingerprint):
            return None
        result = grade_submission(plan, Path(work.folder), reference, launcher=launcher, student=work.student,
                                  options=job.options)
        result.fingerprint = work.fingerprint
        store.save(result)
        write_report(store.report_path(result.student), result)
        return result

    with ThreadPoolExecutor(max_workers=job.jobs) as pool:
        futures = {pool.submit(one, work): work for work in job.students}
        for future in as_completed(futures):
            work = futures[future]
            try:
                result = future.result()
            except Exception:  # noqa: BLE001 - one failure must not stop the batch
                outcome.failed[work.student] = traceback.format_exc()
                result = None
            else:
                outcome.graded.append(work.student)
            if progress:
                progress(work.student, result)
    return outcome


def run_job(job: BatchJob) -> Outcome:
    """A whole run on its own (an array task on a node): plan, launcher pool, reference, then ``grade_work``."""
    os.chdir(job.workdir)
    plan = GradingPlan.build(find_assignment(job.assignment), job.device)
    with make_launcher(job.launcher, size=job.jobs) as launcher:
        reference, _ = reference_observations(plan, launcher)
        return grade_work(job, plan, reference, launcher)


def write_class_files(store: BatchStore, results: list[Result]) -> None:
    """Class-wide files, from every stored result: marks.csv and index.html."""
    write_marks_csv(store.marks_path, results)
    write_index(store.index_path, results)
