"""``kind: curve`` — a training run's losses: they must fall, and end near the reference's.

Training is stochastic in general, so the check tests properties of the curve rather than
exact values: mean of the last ``window`` share <= ``decrease`` x mean of the first share, and
the student's final level <= ``final_ratio`` x the reference's. Each property is half the points
(with ``final_ratio: null``, the fall alone earns them). The driver trains a student class
(``object:``) or function (``function:``), or reads the losses a script logged (neither).
"""
from __future__ import annotations

import math
from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import (CheckSpec, DriverName, Evidence, Plan, PlanContext, Verdict, driver_steps,
                                probe_problem, reference_problem)
from grader.checks.scenario import ObjectSpec
from grader.inputs import derive_seed
from grader.observe import Value
from grader.sandbox.protocol import Probe, Step


class Spec(CheckSpec):
    """A training run driven by grader code (``driver``) on the student's object or function."""

    kind: Literal["curve"]
    object: ObjectSpec | None = None
    function: str | None = None
    driver: DriverName
    driver_args: dict[str, float | int] = Field(default_factory=dict)
    decrease: float = Field(0.5, gt=0)
    final_ratio: float | None = Field(1.5, gt=0, description="None: the decrease alone earns the points")
    window: float = Field(0.1, gt=0, le=0.5)
    timeout: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_subject(self) -> "Spec":
        if self.object is not None and self.function is not None:
            raise ValueError("give `object:` (a class to construct) or `function:` (a function of the student's "
                             "module) for the driver, not both; with neither, the driver gets the module")
        return self


def _probe(spec: Spec, ctx: PlanContext) -> Probe:
    seed = derive_seed(ctx.seed, ctx.question, spec.id)
    steps = []
    if spec.object is not None:
        steps.append(Step(call=spec.object.class_name, args=list(spec.object.args), kwargs=dict(spec.object.kwargs),
                          save="obj"))
    steps += driver_steps(spec.driver, spec.driver_args, seed, function=spec.function,
                          variable="obj" if spec.object is not None else None, observe="losses")
    return Probe(id=spec.id, steps=steps, seed=seed, timeout=spec.timeout or ctx.timeout)


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """One training run on each side, with the same seed and data."""
    probe = _probe(spec, ctx)
    return Plan(student=[probe], reference=[probe])


def _losses(value: Value | None) -> list[float] | None:
    if value is None or value.type not in ("list", "tuple"):
        return None
    out = []
    for item in value.items:
        t = item.as_tensor()
        if t is None or t.numel() != 1:
            return None
        out.append(float(t.reshape(())))
    return out


def _level(losses: list[float], share: float, tail: bool) -> float:
    k = max(1, int(round(len(losses) * share)))
    part = losses[-k:] if tail else losses[:k]
    return sum(part) / len(part)


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Half the points for a falling curve, half for ending near the reference."""
    ref_obs = evidence.reference_probe(spec.id)
    if bad := reference_problem(ref_obs):
        return bad
    student = evidence.student_probe(spec.id)
    if problem := probe_problem(student, evidence.student.imported.defined, evidence.student.module_file):
        return Verdict(0.0, f"training could not run: {problem}", status="error")
    ref = _losses(ref_obs.values.get("losses"))
    if spec.final_ratio is not None and not ref:
        return Verdict(0.0, "the reference's training run recorded no losses to compare with; the rubric needs fixing",
                       status="error")
    returned = student.values.get("losses")
    got = _losses(returned)
    if got is None:
        what = returned.describe() if returned is not None else "nothing"
        return Verdict(0.0, f"the training run did not return a list of losses: it returned {what}")
    if len(got) < 2:
        return Verdict(0.0, f"the training run recorded fewer than two losses ({len(got)})")
    details = {"curves": {"student": got, "reference": ref}}
    bad_at = next((i for i, v in enumerate(got) if not math.isfinite(v)), None)
    if bad_at is not None:
        return Verdict(0.0, f"the loss became {got[bad_at]} at recorded point {bad_at + 1} of {len(got)}: "
                            "training diverged", details=details)
    first, last = _level(got, spec.window, False), _level(got, spec.window, True)
    pct = f"{spec.window:.0%}"
    falls = last <= spec.decrease * first
    parts = [f"the loss falls (mean of the last {pct} {last:.4g} <= {spec.decrease:g} x first {pct} {first:.4g})"
             if falls else f"the loss does not fall enough: mean of the last {pct} is {last:.4g}, needed <= "
                           f"{spec.decrease:g} x the first {pct}'s {first:.4g}"]
    if spec.final_ratio is None:
        return Verdict(float(falls), parts[0], details=details)
    ref_last = _level(ref, spec.window, True)
    near = last <= spec.final_ratio * ref_last
    parts.append(f"final loss {last:.4g} is within {spec.final_ratio:g}x the reference's {ref_last:.4g}" if near
                 else f"final loss {last:.4g} is above {spec.final_ratio:g}x the reference's {ref_last:.4g}")
    return Verdict((falls + near) / 2, "; ".join(parts), details=details)
