"""``kind: choice`` — a global the student sets must be one of the values the handout allows.

For settings picked from a grid (batch size, learning rate, momentum): any allowed value is
right, so the reference's own choice is not compared.
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict, probe_problem
from grader.observe import Value
from grader.sandbox.protocol import Probe, Step


class Spec(CheckSpec):
    """``read`` a global (dotted names work); it must equal one of ``allowed``."""

    kind: Literal["choice"]
    read: str
    allowed: list[float | int | str | bool] = Field(min_length=1)


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """One read of the global on the student's side."""
    probe = Probe(id=spec.id, steps=[Step(read=spec.read, observe="value")], seed=ctx.seed, timeout=ctx.timeout)
    return Plan(student=[probe])


def _number(value: Value) -> float | None:
    """The value as one real number (a Python number, a bool, a one-element tensor or array), else None."""
    tensor = value.as_tensor() if value.type != "str" else None
    if tensor is None or tensor.numel() != 1 or tensor.is_complex():
        return None
    return float(tensor.reshape(()))


def _matches(value: Value, allowed: list) -> bool:
    if value.type == "str":
        return value.text in allowed
    number = _number(value)
    # float32 rounding (a grid value read back from a tensor) is the same choice; grids differ by far more
    return number is not None and any(not isinstance(a, str) and math.isclose(number, float(a), rel_tol=1e-6,
                                                                              abs_tol=1e-12) for a in allowed)


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Full points when the value is allowed."""
    student = evidence.student_probe(spec.id)
    if problem := probe_problem(student, evidence.student.imported.defined, evidence.student.module_file):
        return Verdict(0.0, problem, status="error")
    value = student.values.get("value")
    options = ", ".join(str(a) for a in spec.allowed)
    if value is None or not _matches(value, spec.allowed):
        shown = value.describe() if value is not None else "nothing"
        return Verdict(0.0, f"`{spec.read}` is {shown}; the handout allows {options}")
    shown = repr(value.text) if value.type == "str" else f"{_number(value):g}"
    return Verdict(1.0, f"`{spec.read}` = {shown}, one of {options}")
