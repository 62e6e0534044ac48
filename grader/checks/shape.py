"""``kind: shape`` — call a function (or read a global) and compare only the shape with the reference's.

For values whose numbers cannot match (a freshly initialised weight, a model's output before training)
but whose shape is part of the interface. ``check_dtype`` also compares the dtype;
``accept_transposed`` accepts the reference's shape with its last two sizes swapped.
"""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Verdict
from grader.checks.compare import fmt_shape
from grader.checks.layouts import in_either_layout
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.observe import Value


class Spec(ScenarioSpec):
    """A shape check: ``call`` a function with ``args``, or ``read`` a global (or ``obj.attribute``)."""

    kind: Literal["shape"]
    read: str | None = None
    check_dtype: bool = False
    accept_transposed: bool = False

    @model_validator(mode="after")
    def _target(self) -> "Spec":
        if not self.call and not self.read and not self.driver:
            raise ValueError("a shape check needs `call: <function>`, `read: <name>` or `driver:`")
        return self


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """The same probes run on the reference and the student."""
    probes = [build_probe(spec, t, ctx, observe=[spec.read] if spec.read else []) for t in range(spec.trials)]
    return Plan(student=probes, reference=probes)


def _dtype(value: Value) -> str:
    return str(value.tensor.dtype).removeprefix("torch.")


def compare_shapes(expected: Value, got: Value, check_dtype: bool) -> str | None:
    """None when ``got`` has the shape (and, if asked, the dtype) of ``expected``; otherwise what differs."""
    if expected.type in ("list", "tuple"):
        if got.type not in ("list", "tuple") or len(got.items or []) != len(expected.items or []):
            return f"returned a {got.describe()}, expected a {expected.describe()}"
        for i, (e, g) in enumerate(zip(expected.items, got.items)):
            if problem := compare_shapes(e, g, check_dtype):
                return f"item {i}: {problem}"
        return None
    if expected.tensor is None or expected.type not in ("tensor", "ndarray"):
        return f"the reference's value is a {expected.describe()}, which has no shape; use a value check"
    if got.type != expected.type or got.tensor is None:
        wanted = "torch.Tensor" if expected.type == "tensor" else "numpy array"
        return f"returned a {got.describe()}, expected a {wanted}"
    if tuple(got.tensor.shape) != tuple(expected.tensor.shape):
        return f"shape {fmt_shape(got.tensor.shape)}, expected {fmt_shape(expected.tensor.shape)}"
    if check_dtype and got.tensor.dtype != expected.tensor.dtype:
        return f"dtype {_dtype(got)}, expected {_dtype(expected)}"
    return None


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Share of trials whose value has the reference's shape."""
    name = spec.read or "result"

    def judge(ref, student, _trial):
        if name not in student.values:
            return f"`{name}` was not produced"
        return in_either_layout(ref.values[name], student.values[name],
                                lambda e, g: compare_shapes(e, g, spec.check_dtype), spec.accept_transposed)

    what = f"`{spec.read}`" if spec.read else f"`{spec.call}`" if spec.call else "the result"
    return score_trials(spec, evidence, judge, passed_text=f"{what} has the reference's shape")
