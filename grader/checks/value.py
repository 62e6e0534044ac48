"""``kind: value`` — call a function (or read a global) and compare with the reference.

Compares shape, then dtype, then values under rtol/atol, over several seeded trials whose
tensor sizes are drawn from ``dims``. Points are shared out by the trials passed.
"""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Tolerance, Verdict, tolerance_for
from grader.checks.compare import compare_values
from grader.checks.layouts import in_either_layout, squeezed
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.diagnosis.explain import name_the_mistake


class Spec(ScenarioSpec):
    """A value check: ``call`` a function with ``args``, or ``read`` a module global; ``accept_transposed`` also
    accepts the reference's matrix in the other layout (a weight stored as ``U`` of shape (k, n) and used as
    ``U.T``); ``squeeze`` leaves size-1 dimensions out on both sides (a loss of shape (1, 1) is the scalar)."""

    kind: Literal["value"]
    read: str | None = None
    tolerance: Tolerance = Tolerance()
    gpu_tolerance: Tolerance | None = None
    check_dtype: bool = True
    accept_transposed: bool = False
    squeeze: bool = False

    @model_validator(mode="after")
    def _target(self) -> "Spec":
        if not self.call and not self.read and not self.driver:
            raise ValueError("a value check needs `call: <function>`, `read: <global name>` or `driver:`")
        return self


def _observed(spec: Spec) -> str:
    return spec.read or "result"


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """The same probes run on the reference and the student."""
    probes = [build_probe(spec, t, ctx, observe=[spec.read] if spec.read else []) for t in range(spec.trials)]
    return Plan(student=probes, reference=probes)


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Share of trials whose value matches the reference's."""
    tol = tolerance_for(spec.tolerance, spec.gpu_tolerance, evidence.ctx.device)
    name = _observed(spec)

    def judge(ref, student, trial):
        if name not in student.values:
            return f"`{name}` was not produced"
        expected, got = ref.values[name], student.values[name]
        if spec.squeeze:
            expected, got = squeezed(expected), squeezed(got)
        return in_either_layout(expected, got, lambda e, g: compare_values(e, g, tol, spec.check_dtype),
                                spec.accept_transposed)

    what = f"`{spec.read}`" if spec.read else f"`{spec.call}`" if spec.call else "the result"
    verdict = score_trials(spec, evidence, judge, passed_text=f"{what} matches the reference")
    return name_the_mistake(verdict, spec, evidence, tol, lambda ref, _trial: {name: (ref.values[name], None)})
