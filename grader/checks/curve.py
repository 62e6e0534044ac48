"""``kind: curve`` — a training run's losses: they must fall, and end near the reference's.

Training is stochastic in general, so the check tests properties of the curve rather than
exact values: mean of the last ``window`` share <= ``decrease`` x mean of the first share, and
the student's final level <= ``final_ratio`` x the reference's. Each property is half the points
(with ``final_ratio: null``, the fall alone earns them). The driver trains a student class
(``object:``) or function (``function:``), or reads the losses a script logged (neither). Or, with
``losses: [torch.nn.functional.cross_entropy, ...]``, the curve is every value those functions
returned while the file ran (imported, or run as a script with ``run_as_main``), whatever the
script's variables are called: the child keeps the first and the last ``LOSSES_KEPT`` values.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import (CheckSpec, DriverName, Evidence, Plan, PlanContext, Verdict, driver_steps,
                                probe_problem, reference_problem)
from grader.checks.scenario import ObjectSpec
from grader.inputs import derive_seed
from grader.observe import LossRecord, Observation, Value
from grader.sandbox.protocol import Probe, Step


LOSS_NAME = re.compile(r"^torch(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _loss_name(name: str) -> str:
    """A loss function's full name as the op trace spells it; a module class is refused with its function named."""
    if not LOSS_NAME.match(name):
        raise ValueError(f"{name!r} is not a torch function's full name (e.g. torch.nn.functional.cross_entropy)")
    if name.rsplit(".", 1)[1][:1].isupper():
        raise ValueError(f"{name!r} is a class: name the function its forward calls (nn.CrossEntropyLoss()(...) "
                         "calls torch.nn.functional.cross_entropy, nn.MSELoss()(...) torch.nn.functional.mse_loss), "
                         "which records both spellings")
    return name


class Spec(CheckSpec):
    """A training run driven by grader code (``driver``) on the student's object or function, or the values
    of the loss functions named by ``losses`` while the file ran."""

    kind: Literal["curve"]
    object: ObjectSpec | None = None
    function: str | None = None
    driver: DriverName | None = None
    losses: list[str] | None = Field(None, min_length=1, max_length=20,
                                     description="loss functions whose every call while the file ran is recorded")
    driver_args: dict[str, float | int] = Field(default_factory=dict)
    decrease: float = Field(0.5, gt=0)
    final_ratio: float | None = Field(1.5, gt=0, description="None: the decrease alone earns the points")
    window: float = Field(0.1, gt=0, le=0.5)
    timeout: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_subject(self) -> "Spec":
        if (self.driver is None) == (self.losses is None):
            raise ValueError("give `driver:` (grader code that trains and returns the losses) or `losses:` (loss "
                             "functions recorded while the file runs), exactly one of them")
        if self.losses is not None:
            self.losses = [_loss_name(n) for n in self.losses]
            if self.object is not None or self.function is not None or self.driver_args:
                raise ValueError("`losses:` records what the file itself runs: `object:`, `function:` and "
                                 "`driver_args:` belong to a `driver:`")
        if self.object is not None and self.function is not None:
            raise ValueError("give `object:` (a class to construct) or `function:` (a function of the student's "
                             "module) for the driver, not both; with neither, the driver gets the module")
        return self


def _probe(spec: Spec, ctx: PlanContext) -> Probe:
    seed = derive_seed(ctx.seed, ctx.question, spec.id)
    if spec.losses is not None:  # the values come back with the probe; it runs no step of its own
        return Probe(id=spec.id, steps=[], seed=seed, timeout=spec.timeout or ctx.timeout, losses=spec.losses)
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


@dataclass
class _Series:
    """A run's losses: its first and last values (all of them for a driver's list) and how many there were."""

    first: list[float]
    last: list[float]
    count: int

    @classmethod
    def of_list(cls, losses: list[float]) -> "_Series":
        """Every value of a list a driver returned."""
        return cls(losses, losses, len(losses))

    @classmethod
    def of_record(cls, record: LossRecord) -> "_Series":
        """The values the child recorded."""
        return cls(record.first, record.last, record.count)

    def level(self, share: float, tail: bool) -> float:
        """Mean of the first or last ``share`` of the values (of those kept, when the run was longer)."""
        k = max(1, int(round(self.count * share)))
        part = self.last[-k:] if tail else self.first[:k]
        return sum(part) / len(part)

    def diverged(self) -> int | None:
        """The 0-based position of the first non-finite value, if any."""
        found = [i for i, v in enumerate(self.first) if not math.isfinite(v)][:1]
        found += [self.count - len(self.last) + i for i, v in enumerate(self.last) if not math.isfinite(v)][:1]
        return min(found, default=None)

    def value_at(self, position: int) -> float:
        """The value at a 0-based position of the run (one of those kept)."""
        return self.first[position] if position < len(self.first) else self.last[position - self.count]

    def curve(self) -> list[float]:
        """What the report plots: every value, or the first ones followed by the last ones."""
        return LossRecord(count=self.count, first=self.first, last=self.last).curve()


def _recorded(obs: Observation, spec: Spec) -> _Series | None:
    """The curve a probe brought back: the driver's returned list, or the loss values recorded."""
    if spec.losses is not None:
        return _Series.of_record(obs.losses) if obs.losses is not None and obs.losses.count else None
    got = _losses(obs.values.get("losses"))
    return _Series.of_list(got) if got is not None else None


def _nothing_back(spec: Spec, obs: Observation, module_file: str) -> str:
    if spec.losses is not None:
        return (f"no call of {' or '.join(spec.losses)} was recorded while {module_file} ran: the training must run "
                "when the file is run (at top level, or under `if __name__ == \"__main__\":`) and use that loss")
    returned = obs.values.get("losses")
    return f"the training run did not return a list of losses: it returned {returned.describe() if returned else 'nothing'}"


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Half the points for a falling curve, half for ending near the reference."""
    ref_obs = evidence.reference_probe(spec.id)
    if bad := reference_problem(ref_obs):
        return bad
    student = evidence.student_probe(spec.id)
    if problem := probe_problem(student, evidence.student.imported.defined, evidence.student.module_file):
        return Verdict(0.0, f"training could not run: {problem}", status="error")
    ref = _recorded(ref_obs, spec)
    if spec.final_ratio is not None and (ref is None or not ref.count):
        return Verdict(0.0, "the reference's training run recorded no losses to compare with; the rubric needs fixing",
                       status="grader_error")
    got = _recorded(student, spec)
    if got is None:
        return Verdict(0.0, _nothing_back(spec, student, evidence.student.module_file))
    if got.count < 2:
        if spec.losses is not None:
            return Verdict(0.0, f"{' or '.join(spec.losses)} was called only once while {evidence.student.module_file} "
                                "ran: no training loop ran")
        return Verdict(0.0, f"the training run recorded fewer than two losses ({got.count})")
    details = {"curves": {"student": got.curve(), "reference": ref.curve() if ref else None}}
    bad_at = got.diverged()
    if bad_at is not None:
        return Verdict(0.0, f"the loss became {got.value_at(bad_at)} at recorded point {bad_at + 1} of {got.count}: "
                            "training diverged", details=details)
    first, last = got.level(spec.window, False), got.level(spec.window, True)
    pct = f"{spec.window:.0%}"
    falls = last <= spec.decrease * first
    parts = [f"the loss falls (mean of the last {pct} {last:.4g} <= {spec.decrease:g} x first {pct} {first:.4g})"
             if falls else f"the loss does not fall enough: mean of the last {pct} is {last:.4g}, needed <= "
                           f"{spec.decrease:g} x the first {pct}'s {first:.4g}"]
    if spec.final_ratio is None:
        return Verdict(float(falls), parts[0], details=details)
    ref_last = ref.level(spec.window, True)
    near = last <= spec.final_ratio * ref_last
    parts.append(f"final loss {last:.4g} is within {spec.final_ratio:g}x the reference's {ref_last:.4g}" if near
                 else f"final loss {last:.4g} is above {spec.final_ratio:g}x the reference's {ref_last:.4g}")
    return Verdict((falls + near) / 2, "; ".join(parts), details=details)
