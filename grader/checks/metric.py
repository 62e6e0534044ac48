"""``kind: metric`` — grader code measures one number from the student's work; it must lie within bounds.

For results that are random by design (a factorisation from a random start, an MLP's accuracy):
the bounds come from running the reference over many seeds, and are written in the rubric with
that measurement. The driver receives the student's function (``function:``) or, without it,
the student's whole module (to read trained globals or call a helper it chooses).
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import CheckSpec, DriverName, Evidence, Plan, PlanContext, Verdict, driver_steps, probe_problem
from grader.inputs import derive_seed
from grader.sandbox.protocol import Probe


class Spec(CheckSpec):
    """``driver`` measures ``metric`` (a name for messages); ``at_most`` / ``at_least`` bound it."""

    kind: Literal["metric"]
    driver: DriverName
    function: str | None = None
    driver_args: dict[str, float | int] = Field(default_factory=dict)
    metric: str = "the measured value"
    at_most: float | None = None
    at_least: float | None = None
    timeout: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _has_bound(self) -> "Spec":
        if self.at_most is None and self.at_least is None:
            raise ValueError("a metric check needs `at_most:` or `at_least:` (from the reference's spread)")
        return self


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """The same measurement on both sides (the reference's value is shown beside the student's)."""
    seed = derive_seed(ctx.seed, ctx.question, spec.id)
    steps = driver_steps(spec.driver, spec.driver_args, seed, function=spec.function, observe="metric")
    probe = Probe(id=spec.id, steps=steps, seed=seed, timeout=spec.timeout or ctx.timeout)
    return Plan(student=[probe], reference=[probe])


def _number(obs) -> float | None:
    value = obs.values.get("metric") if obs else None
    tensor = value.as_tensor() if value is not None else None
    return float(tensor.reshape(())) if tensor is not None and tensor.numel() == 1 else None


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Full points inside the bounds, none outside."""
    student = evidence.student_probe(spec.id)
    if problem := probe_problem(student, evidence.student.imported.defined, evidence.student.module_file):
        return Verdict(0.0, f"{spec.metric} could not be measured: {problem}", status="error")
    got = _number(student)
    if got is None:
        return Verdict(0.0, f"{spec.metric} could not be measured from what the code returned")
    reference = _number(evidence.reference_probe(spec.id))
    beside = f" (the reference: {reference:.6g})" if reference is not None else ""
    if not math.isfinite(got):
        return Verdict(0.0, f"{spec.metric} is {got}{beside}")
    too_high = spec.at_most is not None and got > spec.at_most
    too_low = spec.at_least is not None and got < spec.at_least
    bounds = " and ".join(b for b in (f">= {spec.at_least:g}" if spec.at_least is not None else "",
                                      f"<= {spec.at_most:g}" if spec.at_most is not None else "") if b)
    if too_high or too_low:
        return Verdict(0.0, f"{spec.metric} is {got:.6g}, needed {bounds}{beside}")
    return Verdict(1.0, f"{spec.metric} is {got:.6g} ({bounds}){beside}")
