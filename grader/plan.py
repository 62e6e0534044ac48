"""A ``GradingPlan``: what grading one assignment on one device runs, built once and passed along.

It holds every question's check plans (the probes each check needs on each side), the notebook
cell tags that are skipped and what the course adds to every working copy. Audits with another
seed, self-check bundles and similarity reports build their own plan; nothing is cached on the
assignment.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.assignments import Assignment
from grader.checks.base import Plan, PlanContext
from grader.checks.registry import kind_of
from grader.course.course_drivers import find_drivers_file
from grader.course.setup import course_file_sources
from grader.handins.notebooks import DEFAULT_SKIP_TAGS, top_level_names
from grader.handins.staging import CourseSetup
from grader.rubric import Question
from grader.sandbox.protocol import Probe


@dataclass(frozen=True)
class QuestionPlan:
    """One question with its context and each check's plan, by check id."""

    question: Question
    ctx: PlanContext
    checks: dict[str, Plan]

    def probes(self, side: str) -> list[Probe]:
        """Every probe of one side (``"student"`` or ``"reference"``), in check order."""
        return [p for plan in self.checks.values() for p in getattr(plan, side)]

    def wanted_names(self) -> set[str]:
        """Module-level names the question's checks call, read or look in."""
        names: set[str] = set(self.question.defines)
        for plan in self.checks.values():
            for probe in plan.student:
                saved: set[str] = set()
                for step in probe.steps:
                    for target in (step.call, step.read, step.set):
                        if target and target.split(".")[0] not in saved:
                            names.add(target.split(".")[0])
                    if step.save:
                        saved.add(step.save)
        for check in self.question.checks:
            names |= {name.split(".")[0] for name in getattr(check, "within", None) or []}
        return names


def interface_names(question: Question) -> tuple[str, ...]:
    """Every name the question's checks ask the student's file for: functions, classes, methods, globals."""
    names = set(question.defines)
    for check in question.checks:
        for target in (getattr(check, "call", None), getattr(check, "read", None), getattr(check, "function", None),
                       *(c.call for c in getattr(check, "setup", None) or [])):
            names.update(target.split(".") if target else [])
        if getattr(check, "object", None) is not None:
            names.add(check.object.class_name)
        names.update(getattr(check, "within", None) or [])
    return tuple(sorted(names))


@dataclass(frozen=True)
class GradingPlan:
    """Everything grading ``assignment`` on ``device`` needs besides the submissions."""

    assignment: Assignment
    device: str
    questions: dict[str, QuestionPlan]
    skip_tags: tuple[str, ...]
    course: CourseSetup

    @classmethod
    def build(cls, assignment: Assignment, device: str = "cpu") -> "GradingPlan":
        """Plan every check of every question once."""
        rubric = assignment.rubric
        tags = (*DEFAULT_SKIP_TAGS, *rubric.skip_cell_tags)
        questions = {}
        for question in rubric.questions:
            ctx = PlanContext(seed=rubric.seed, question=question.id, device=device, timeout=rubric.timeout,
                              skip_tags=tags, interface=interface_names(question),
                              deviation_penalty=question.deviation_penalty or rubric.deviation_penalty,
                              starter=assignment.starter_dir if assignment.starter_dir.is_dir() else None)
            questions[question.id] = QuestionPlan(question, ctx, {c.id: kind_of(c).plan(c, ctx)
                                                                   for c in question.checks})
        files, _ = course_file_sources(rubric.course_files, assignment.reference_dir, assignment.starter_dir)
        course = CourseSetup(files=files, drivers=find_drivers_file(assignment.rubric_path), stubs=[p.module for p in rubric.packages if p.stub],
                             provided=[p.name for p in rubric.packages if not p.stub], skip_tags=tags)
        return cls(assignment, device, questions, tags, course)

    def with_seed(self, seed: int) -> "GradingPlan":
        """The same plan for the rubric drawn with another seed (other sizes and inputs)."""
        a = self.assignment
        rubric = a.rubric.model_copy(update={"seed": seed})
        return GradingPlan.build(Assignment(a.name, rubric, a.rubric_path, a.reference_dir), self.device)

    def __iter__(self):
        return iter(self.questions.values())

    def chosen_file(self, qplan: QuestionPlan, folder: Path) -> str:
        """The file graded for a question: among several candidates, the one defining most of the names
        the question's checks use (one notebook may answer several questions, or one notebook per part)."""
        candidates = qplan.question.candidates(folder)
        if len(candidates) <= 1:
            return next(iter(candidates), qplan.question.file)
        wanted = qplan.wanted_names()
        return max(candidates, key=lambda name: (len(wanted & top_level_names(folder / name, self.skip_tags)),
                                                 -candidates.index(name)))
