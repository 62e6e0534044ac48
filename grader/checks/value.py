"""``kind: value`` — call a function (or read a global) and compare with the reference.

Compares shape, then values under rtol/atol (and a dtype where the rubric demands one), over several
seeded trials whose tensor sizes are drawn from ``dims``. Points are shared out by the trials passed.
One-element results compare by value whatever their shape (``shape: squeeze``, the default).
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Tolerance, Verdict, tolerance_for
from grader.checks.compare import ShapeRule, compare_values
from grader.checks.layouts import in_either_layout
from grader.observe import Deviation
from grader.sandbox.protocol import DTypeName
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.diagnosis.explain import name_the_mistake


class Spec(ScenarioSpec):
    """A value check: ``call`` a function with ``args``, or ``read`` a module global; ``accept_transposed`` also
    accepts the reference's matrix in the other layout (a weight stored as ``U`` of shape (k, n) and used as
    ``U.T``)."""

    kind: Literal["value"]
    read: str | None = None
    tolerance: Tolerance = Tolerance()
    gpu_tolerance: Tolerance | None = None
    shape: Literal["exact", "squeeze"] | None = Field(None, description="`squeeze`: a one-element result is its "
                                                      "value whatever its shape (1 x 1 or 0-d); `exact`: the "
                                                      "reference's shape; unset: squeeze scalar-like results")
    dtype: DTypeName | Literal["reference"] | None = Field(None, description="a dtype the result must have "
                                                           "(`reference`: the reference's); none: not judged")
    check_dtype: bool | None = Field(None, description="older spelling: true is `dtype: reference`")
    accept_transposed: bool = False

    @model_validator(mode="after")
    def _target(self) -> "Spec":
        if not self.call and not self.read and not self.driver:
            raise ValueError("a value check needs `call: <function>`, `read: <global name>` or `driver:`")
        if self.check_dtype and self.dtype is None:
            self.dtype = "reference"
        return self


def shape_rule(spec: Spec) -> ShapeRule:
    """The rubric's ``shape:``, else squeeze scalar-like results: every one-element result of a check whose sizes
    are fixed (no ``dims``), and a 0-d reference's otherwise (a 1 x 1 result drawn from size-1 dims is no scalar)."""
    return spec.shape or ("scalar" if spec.dims else "squeeze")


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

    notes: list[Deviation] = []

    def judge(ref, student, trial):
        if name not in student.values:
            return f"`{name}` was not produced"
        return in_either_layout(ref.values[name], student.values[name], lambda e, g: compare_values(
            e, g, tol, spec.dtype == "reference", shape=shape_rule(spec),
            dtype=None if spec.dtype == "reference" else spec.dtype, notes=None if spec.read else notes),
            spec.accept_transposed)

    what = f"`{spec.read}`" if spec.read else f"`{spec.call}`" if spec.call else "the result"
    verdict = score_trials(spec, evidence, judge, passed_text=f"{what} matches the reference")
    verdict = name_the_mistake(verdict, spec, evidence, tol, lambda ref, _trial: {name: (ref.values[name], None)})
    verdict.deviations += [n for i, n in enumerate(notes) if n not in notes[:i]]
    return verdict
