"""Auditing a rubric: the reference must score full marks on several seeds, and mutants of the
reference (real student mistakes, see ``mutants``) must lose marks.

A mutant that loses points is *killed*. One that keeps full marks is *equivalent* when some
check runs the mutated function and every probe observed exactly what the reference's probes
observed (no check could tell them apart), and a *survivor* otherwise: a mistake the rubric
lets through.
"""
from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import torch
from pydantic import BaseModel

from grader.authoring.mutants import Mutant, generate
from grader.grading import grade_submission, run_question, score_question
from grader.observe import FileObservations, Value
from grader.plan import GradingPlan, QuestionPlan
from grader.reference_cache import reference_observations
from grader.rubric import Question
from grader.sandbox.parent.launcher import Launcher

TARGET = 0.9


class SeedRun(BaseModel):
    """The reference graded by its rubric with one seed."""

    seed: int
    points: float
    max_points: float
    failing: list[str]


class MutantOutcome(BaseModel):
    """What the rubric made of one mutant."""

    operator: str
    line: int
    function: str
    description: str
    diff: str
    status: Literal["killed", "survived", "equivalent"]
    points: float
    max_points: float
    caught_by: list[str]
    should_catch: list[str]


class QuestionAudit(BaseModel):
    """Mutation score of one question."""

    id: str
    mutants: list[MutantOutcome]

    def count(self, status: str) -> int:
        """How many mutants ended with ``status``."""
        return sum(m.status == status for m in self.mutants)

    @property
    def score(self) -> float:
        """killed / (total - equivalent); 1.0 when every mutant is equivalent."""
        relevant = len(self.mutants) - self.count("equivalent")
        return self.count("killed") / relevant if relevant else 1.0


class AuditReport(BaseModel):
    """The whole audit of one assignment."""

    assignment: str
    device: str
    seeds: list[SeedRun]
    questions: list[QuestionAudit]
    target: float = TARGET

    @property
    def reference_full_marks(self) -> bool:
        """Whether the reference got every automatic point on every seed."""
        return all(not s.failing for s in self.seeds)

    @property
    def passed(self) -> bool:
        """Reference full marks everywhere and every question at or above the target."""
        return self.reference_full_marks and all(q.score >= self.target for q in self.questions)


def same_value(a: Value, b: Value) -> bool:
    """Exactly the same observed value (type, dtype, shape and every element)."""
    if a.type != b.type or (a.tensor is None) != (b.tensor is None):
        return False
    if a.tensor is not None:
        return a.tensor.dtype == b.tensor.dtype and a.tensor.shape == b.tensor.shape and \
            bool(torch.equal(torch.nan_to_num(a.tensor), torch.nan_to_num(b.tensor)))
    if (a.items is None) != (b.items is None) or (a.items and len(a.items) != len(b.items)):
        return False
    return (a.number, a.text) == (b.number, b.text) and all(same_value(x, y) for x, y in zip(a.items or [], b.items or []))


def same_observations(a: FileObservations, b: FileObservations) -> bool:
    """Every probe saw the same status and values.

    Traced ops are left out on purpose: a mutant that computes the same values with one more
    op (``d.T`` of a 1x1 tensor) is equivalent for every value check; the trace checks score
    such differences themselves.
    """
    if a.imported.status != b.imported.status or a.probes.keys() != b.probes.keys():
        return False
    for pid, x in a.probes.items():
        y = b.probes[pid]
        if x.status != y.status or x.values.keys() != y.values.keys():
            return False
        if not all(same_value(x.values[k], y.values[k]) for k in x.values):
            return False
    return True


def check_seeds(plan: GradingPlan, launcher: Launcher, seeds: int) -> list[SeedRun]:
    """Grade the reference with ``seeds`` different rubric seeds."""
    runs = []
    rubric = plan.assignment.rubric
    for k in range(seeds):
        variant = plan.with_seed(rubric.seed + k)
        reference, _ = reference_observations(variant, launcher)
        result = grade_submission(variant, plan.assignment.reference_dir, reference, launcher=launcher)
        failing = [f"{q.id}/{c.id}: {c.message}" for q in result.questions for c in q.checks
                   if c.status not in ("pass", "manual")]
        runs.append(SeedRun(seed=rubric.seed + k, points=result.total, max_points=rubric.automatic_total,
                            failing=failing))
    return runs


def _suspects(question: Question, function: str) -> list[str]:
    """Checks that should catch a mutant: those whose spec names the mutated function (or method);
    for a mutant of module-level code (a script), every automatic check, since all run after it."""
    if not function:
        return [c.id for c in question.checks if c.kind != "manual"]
    name = function.split(".")[-1]
    return [c.id for c in question.checks if c.kind != "manual" and name in c.model_dump_json()]


def _judge(plan: GradingPlan, qplan: QuestionPlan, mutant: Mutant, baseline: FileObservations,
           reference: FileObservations | None, launcher: Launcher) -> MutantOutcome:
    question = qplan.question
    folder = Path(tempfile.mkdtemp(prefix="grade-mutant-"))
    try:
        shutil.copytree(plan.assignment.reference_dir, folder, dirs_exist_ok=True)
        (folder / question.file).write_text(mutant.source)
        observed = run_question(plan, qplan, folder, "student", launcher)
        scored = score_question(qplan, folder, observed, reference)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    automatic = [c for c in scored.checks if c.kind != "manual"]
    lost = [c.id for c in automatic if c.points < c.max_points]
    suspects = [c for c in _suspects(question, mutant.function) if qplan.checks[c].student]
    if lost:
        status = "killed"
    elif suspects and same_observations(observed, baseline):
        status = "equivalent"  # the mutated code ran and changed no observed value
    else:
        status = "survived"
    return MutantOutcome(operator=mutant.operator, line=mutant.line, function=mutant.function,
                         description=mutant.description, diff=mutant.diff, status=status,
                         points=sum(c.points for c in automatic), max_points=sum(c.max_points for c in automatic),
                         caught_by=lost, should_catch=suspects)


def audit(plan: GradingPlan, launcher: Launcher, *, seeds: int = 3, jobs: int = 2) -> AuditReport:
    """Run the whole audit: reference on several seeds, then every mutant of every question."""
    seed_runs = check_seeds(plan, launcher, seeds)
    reference, _ = reference_observations(plan, launcher)
    reference_dir = plan.assignment.reference_dir
    questions = []
    for qid, qplan in plan.questions.items():
        path = reference_dir / qplan.question.file
        if not path.is_file():
            continue
        baseline = run_question(plan, qplan, reference_dir, "student", launcher)
        mutants = generate(qid, path.read_text())
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            outcomes = list(pool.map(lambda m: _judge(plan, qplan, m, baseline, reference.get(qid), launcher),
                                     mutants))
        questions.append(QuestionAudit(id=qid, mutants=outcomes))
    return AuditReport(assignment=plan.assignment.rubric.assignment, device=plan.device, seeds=seed_runs,
                       questions=questions)
