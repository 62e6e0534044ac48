"""The torch ops the reference runs in each check's call, by the names the trace records, and the trace
patterns that match none of them (``grade validate --ops``)."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from grader.checks.base import Plan
from grader.course.course_drivers import INTERNAL_PREFIX
from grader.grading import run_question
from grader.plan import GradingPlan, QuestionPlan
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.protocol import Step


@dataclass
class CheckOps:
    """What one check's first trial ran in the reference."""

    question: str
    check: str
    ops: dict[str, int]
    problem: str = ""
    warnings: list[str] = field(default_factory=list)


def _runs_student_code(step: Step) -> bool:
    """A call, or a driver of the course; not the grader's own measurements (``grader.*``)."""
    return bool(step.call or (step.driver and not step.driver.startswith(INTERNAL_PREFIX)))


def _traced(plan: Plan) -> Plan | None:
    """The check's first probe with every call traced, or None when it calls nothing."""
    probes = plan.student or plan.reference
    if not probes or not any(_runs_student_code(s) for s in probes[0].steps):
        return None
    probe = probes[0]
    steps = [s.model_copy(update={"trace": True}) if _runs_student_code(s) else s for s in probe.steps]
    return Plan(student=[probe.model_copy(update={"steps": steps, "id": f"{probe.id}.ops"})])


def unmatched_patterns(check, ops: dict[str, int]) -> list[str]:
    """Warnings for a trace check's required patterns that match nothing the reference ran."""
    warnings = []
    for pattern in getattr(check, "require_ops", []):
        if not any(fnmatch.fnmatchcase(op, alt) for op in ops for alt in pattern.split("|")):
            warnings.append(f"require_ops `{pattern}` matches nothing the reference runs: the reference itself "
                            "would lose these points; compare the pattern with the ops listed")
    return warnings


def reference_ops(plan: GradingPlan, launcher: Launcher) -> list[CheckOps]:
    """Run each check's first trial on the reference with tracing on; the ops of each, with warnings."""
    listed = []
    for qplan in plan:
        traced = {cid: p for cid, p in ((c, _traced(qplan.checks[c])) for c in qplan.checks) if p is not None}
        if not traced:
            continue
        only = QuestionPlan(qplan.question, qplan.ctx, traced)
        observed = run_question(plan, only, plan.assignment.reference_dir, "student", launcher)
        for check in qplan.question.checks:
            if check.id not in traced:
                continue
            obs = observed.probes.get(traced[check.id].student[0].id)
            if observed.imported.status != "ok" or obs is None or obs.status != "ok":
                why = observed.imported.explain() if observed.imported.status != "ok" else \
                    (obs.error.one_line() if obs and obs.error else (obs.detail if obs else "not run"))
                listed.append(CheckOps(qplan.question.id, check.id, {}, problem=f"the reference failed: {why}"))
                continue
            listed.append(CheckOps(qplan.question.id, check.id, dict(obs.ops),
                                   warnings=unmatched_patterns(check, obs.ops)))
    return listed
