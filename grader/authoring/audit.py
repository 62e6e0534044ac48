"""Auditing a rubric: the reference must score full marks on several seeds, mutants of the reference (real
student mistakes, see ``mutants``) must lose marks, and correct variants (``variants``) must not.

A mutant that loses points is *killed*. One that keeps full marks is *equivalent* when some
check runs the mutated function and every probe observed exactly what the reference's probes
observed, which of the values carry an autograd graph included (no check could tell them apart,
and training through them works the same), and a *survivor* otherwise: a mistake the rubric
lets through. A correct variant that loses marks (an alternative solution, a rewrite of the
reference) and an input correct code need not accept (``input_domain``) each fail the audit.
"""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import torch
from pydantic import BaseModel

from grader.authoring.input_domain import InputFinding, edge_failures, negative_ids
from grader.authoring.mutants import Mutant, generate
from grader.authoring.variants import (VariantOutcome, alternative_folders, judge_alternative, judge_rewrite,
                                       rewrites_of)
from grader.checks.base import Plan
from grader.grading import grade_submission, run_question, score_question
from grader.observe import FileObservations, Value
from grader.plan import GradingPlan, QuestionPlan
from grader.reference_cache import reference_observations
from grader.rubric import Question
from grader.scratch import scratch_folder
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.protocol import Step

GRAPH = "grader.graph_flags"  # which values of a call carry an autograd graph, observed beside them

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
    variants: list[VariantOutcome] = []
    inputs: list[InputFinding] = []
    target: float = TARGET

    @property
    def false_negatives(self) -> list[VariantOutcome]:
        """Correct variants that lose marks."""
        return [v for v in self.variants if v.status == "loses marks"]

    @property
    def reference_full_marks(self) -> bool:
        """Whether the reference got every automatic point on every seed."""
        return all(not s.failing for s in self.seeds)

    @property
    def passed(self) -> bool:
        """Reference full marks everywhere, every question at or above the target, no correct variant losing
        marks and no input that correct code need not accept."""
        return self.reference_full_marks and all(q.score >= self.target for q in self.questions) \
            and not self.false_negatives and not self.inputs


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
    with scratch_folder("grade-mutant-") as folder:
        shutil.copytree(plan.assignment.reference_dir, folder, dirs_exist_ok=True)
        (folder / question.file).write_text(mutant.source)
        observed = run_question(plan, qplan, folder, "student", launcher)
        scored = score_question(qplan, folder, observed, reference)
    automatic = [c for c in scored.checks if c.kind != "manual"]
    lost = [c.id for c in automatic if c.points < c.max_points]
    # a check runs the mutated code only through probes with steps (an import-only probe, which a source
    # rule plans to see that the file imports, calls nothing)
    suspects = [c for c in _suspects(question, mutant.function) if any(p.steps for p in qplan.checks[c].student)]
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


def with_graph_flags(qplan: QuestionPlan) -> QuestionPlan:
    """The question's probes, each call's result also observed as which of its tensors require grad."""
    flagged = {}
    for cid, plan in qplan.checks.items():
        probes = []
        for probe in plan.student:
            if any(step.save == "result" and (step.call or step.driver) for step in probe.steps):
                extra = Step(driver=GRAPH, args=[{"var": "result"}], observe="result.graph")
                probe = probe.model_copy(update={"steps": [*probe.steps, extra]})
            probes.append(probe)
        flagged[cid] = Plan(student=probes, reference=plan.reference)
    return QuestionPlan(qplan.question, qplan.ctx, flagged)


def _correct_variants(plan: GradingPlan, qplan: QuestionPlan, source: str, reference: FileObservations | None,
                      launcher: Launcher, pool: ThreadPoolExecutor) -> list[VariantOutcome]:
    tried, skipped = rewrites_of(qplan, source)
    return list(pool.map(lambda r: judge_rewrite(plan, qplan, r, reference, launcher), tried)) + skipped


def audit(plan: GradingPlan, launcher: Launcher, *, seeds: int = 3, jobs: int = 2,
          variants: bool = True) -> AuditReport:
    """Run the whole audit: reference on several seeds, every mutant of every question, and (with ``variants``)
    the alternative solutions, the rewrites of the reference and the inputs' edges."""
    seed_runs = check_seeds(plan, launcher, seeds)
    reference, _ = reference_observations(plan, launcher)
    reference_dir = plan.assignment.reference_dir
    questions, outcomes, findings = [], [], []
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for qid, qplan in plan.questions.items():
            path = reference_dir / qplan.question.file
            if not path.is_file():
                continue
            flagged = with_graph_flags(qplan)
            baseline = run_question(plan, flagged, reference_dir, "student", launcher)
            mutants = generate(qid, path.read_text())
            judged = list(pool.map(lambda m: _judge(plan, flagged, m, baseline, reference.get(qid), launcher),
                                   mutants))
            questions.append(QuestionAudit(id=qid, mutants=judged))
            if variants:
                outcomes += _correct_variants(plan, qplan, path.read_text(), reference.get(qid), launcher, pool)
                findings += negative_ids(qplan) + edge_failures(plan, qplan, launcher)
        if variants:
            for folder in alternative_folders(reference_dir):
                outcomes += judge_alternative(plan, folder, reference, launcher)
    return AuditReport(assignment=plan.assignment.rubric.assignment, device=plan.device, seeds=seed_runs,
                       questions=questions, variants=outcomes, inputs=findings)
