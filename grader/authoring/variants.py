"""Correct variants that must keep full marks: the instructor's alternative solutions and automatic rewrites.

``reference/<assignment>/alternatives/<name>/`` holds other correct solutions (one folder each, with
the question files it answers, a notebook even); ``rewrites`` makes more from the reference itself. Each
variant is graded like a student against the reference's observations; one that loses an automatic
point is a false negative: a correct student would lose it too.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from grader.authoring.rewrites import Rewrite, generate
from grader.grading import run_question, score_question
from grader.observe import FileObservations
from grader.plan import GradingPlan, QuestionPlan
from grader.rubric import Question
from grader.scratch import scratch_folder
from grader.sandbox.parent.launcher import Launcher

ALTERNATIVES = "alternatives"


class VariantOutcome(BaseModel):
    """What the rubric made of one correct variant of a question."""

    question: str
    origin: Literal["alternative", "rewrite"]
    name: str
    description: str
    diff: str = ""
    status: Literal["full marks", "loses marks", "not tried"]
    points: float = 0.0
    max_points: float = 0.0
    lost: list[str] = []


def rule_words(question: Question) -> set[str]:
    """The words of a question's source and trace rules (``torch.einsum`` gives torch, einsum)."""
    words: set[str] = set()
    for check in question.checks:
        if check.kind in ("source", "trace"):
            text = check.model_dump_json(include={"require", "forbid", "require_ops", "forbid_ops"})
            words |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    return words


def _score(plan: GradingPlan, qplan: QuestionPlan, folder: Path, reference: FileObservations | None,
           launcher: Launcher) -> tuple[float, float, list[str]]:
    observed = run_question(plan, qplan, folder, "student", launcher)
    scored = score_question(qplan, folder, observed, reference)
    automatic = [c for c in scored.checks if c.kind != "manual"]
    lost = [f"{c.id}: {c.message}" for c in automatic if c.points < c.max_points - 1e-9]
    return sum(c.points for c in automatic), sum(c.max_points for c in automatic), lost


def _copy_reference(reference_dir: Path, folder: Path, leave_out: set[str]) -> None:
    """The reference folder without its alternatives and without ``leave_out`` (question files)."""
    def ignore(directory: str, names: list[str]) -> list[str]:
        top = Path(directory) == reference_dir
        return [n for n in names if top and (n == ALTERNATIVES or n in leave_out)] + \
            [n for n in names if n == "__pycache__"]
    shutil.copytree(reference_dir, folder, dirs_exist_ok=True, ignore=ignore)


def judge_rewrite(plan: GradingPlan, qplan: QuestionPlan, rewrite: Rewrite, reference: FileObservations | None,
                  launcher: Launcher) -> VariantOutcome:
    """Grade the reference folder with the question's file rewritten."""
    with scratch_folder("grade-variant-") as folder:
        _copy_reference(plan.assignment.reference_dir, folder, set())
        (folder / qplan.question.file).write_text(rewrite.source)
        points, max_points, lost = _score(plan, qplan, folder, reference, launcher)
    return VariantOutcome(question=qplan.question.id, origin="rewrite", name=rewrite.name,
                          description=rewrite.description, diff=rewrite.diff,
                          status="loses marks" if lost else "full marks", points=points, max_points=max_points,
                          lost=lost)


def rewrites_of(qplan: QuestionPlan, source: str) -> tuple[list[Rewrite], list[VariantOutcome]]:
    """The rewrites to try on a question, and those not tried because the rubric's rules name what they change."""
    words = rule_words(qplan.question)
    tried, skipped = [], []
    for rewrite in generate(qplan.question.id, source):
        named = sorted(set(rewrite.touches) & words)
        if named:
            skipped.append(VariantOutcome(question=qplan.question.id, origin="rewrite", name=rewrite.name,
                                          description=rewrite.description, diff=rewrite.diff, status="not tried",
                                          lost=[f"the rubric's source or trace rules name {', '.join(named)}"]))
        else:
            tried.append(rewrite)
    return tried, skipped


def alternative_folders(reference_dir: Path) -> list[Path]:
    """``reference/<assignment>/alternatives/*/``, sorted."""
    root = reference_dir / ALTERNATIVES
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))) \
        if root.is_dir() else []


def judge_alternative(plan: GradingPlan, alternative: Path, reference: dict[str, FileObservations],
                      launcher: Launcher) -> list[VariantOutcome]:
    """Grade one alternative solution on every question it answers."""
    questions = [q for q in plan if q.question.candidates(alternative)]
    outcomes = []
    with scratch_folder("grade-alternative-") as folder:
        _copy_reference(plan.assignment.reference_dir, folder, {q.question.file for q in questions})
        shutil.copytree(alternative, folder, dirs_exist_ok=True)
        for qplan in questions:
            points, max_points, lost = _score(plan, qplan, folder, reference.get(qplan.question.id), launcher)
            files = ", ".join(qplan.question.candidates(alternative))
            outcomes.append(VariantOutcome(question=qplan.question.id, origin="alternative", name=alternative.name,
                                           description=f"{ALTERNATIVES}/{alternative.name}/{files}",
                                           status="loses marks" if lost else "full marks", points=points,
                                           max_points=max_points, lost=lost))
    return outcomes
