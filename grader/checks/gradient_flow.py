"""``kind: gradient_flow`` — a gradient of the model's output reaches every parameter.

For autograd models (an ``nn.Module``, or a class holding tensors that require grad): the scenario
builds the model (``object:``) or reads it (``model: name``), makes the call (``forward``), and the
child differentiates a seeded random weighting of the output (or the saved ``loss:``) with respect to
every parameter. A parameter the gradient never reaches (used through ``.detach()``, ``.data``, numpy,
or not used at all), one whose gradient is zero everywhere, and one that does not require grad each
fail the trial. No reference is needed.
"""
from __future__ import annotations

import fnmatch
from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Verdict
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.inputs import derive_seed
from grader.sandbox.protocol import Step

REACHED = "reached"
WHY = {"no gradient": "it is not used, or used through .detach(), .data, .item() or numpy",
       "zero gradient": "its gradient is zero everywhere", "does not require grad": "it was frozen"}


class Spec(ScenarioSpec):
    """``object:`` (then ``call: forward``) or ``model:`` a module global (then ``call: net`` or ``net.forward``);
    optionally ``parameters:`` to follow (dotted names; default: all), ``ignore:`` globs, ``loss:`` a saved value."""

    kind: Literal["gradient_flow"]
    model: str | None = None
    parameters: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    loss: str | None = None

    @model_validator(mode="after")
    def _model(self) -> "Spec":
        if (self.object is None) == (self.model is None):
            raise ValueError("a gradient_flow check needs one of `object: {class: ..., args: [...]}` (the model "
                             "is built) or `model: <global name>` (the model is read)")
        if not self.call and not self.loss:
            raise ValueError("a gradient_flow check needs `call:` (the forward pass) or `loss:` (a value saved "
                             "by a setup call)")
        if self.loss and not any(c.save == self.loss for c in self.setup):
            raise ValueError(f"no setup call saves `{self.loss}`; add `save: {self.loss}` to the call that makes it")
        return self


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Student probes: build or read the model, run it, then ask the child where the gradient reaches."""
    probes = []
    for trial in range(spec.trials):
        seed = derive_seed(ctx.seed, ctx.question, spec.id, trial, "gradient_flow")
        extra = [Step(driver="grader.parameter_gradients", args=[{"var": "obj"}, {"var": spec.loss or "result"}],
                      kwargs={"seed": seed, "names": spec.parameters or None}, observe="gradients")]
        probe = build_probe(spec, trial, ctx, extra=extra)
        if spec.model:  # `call: net` (or `net.forward`) then runs the global model
            probe.steps.insert(0, Step(read=spec.model, save="obj"))
        probes.append(probe)
    return Plan(student=probes)


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Share of trials in which every followed parameter gets a non-zero gradient."""
    counted: list[str] = []

    def judge(_ref, student, _trial):
        value = student.values.get("gradients")
        if value is None or value.type != "dict":
            return f"the grader could not follow the gradients ({value.describe() if value else 'nothing came back'})"
        states = {k: v.text for k, v in zip(value.keys or [], value.items or [])
                  if not any(fnmatch.fnmatchcase(k, pattern) for pattern in spec.ignore)}
        if not states:
            return "the model has no parameters that require grad"
        missed = {k: s for k, s in states.items() if s != REACHED}
        if missed:
            listed = "; ".join(f"`{k}`: {s} ({WHY.get(s, s)})" for k, s in list(missed.items())[:6])
            return f"the gradient does not reach {len(missed)} of {len(states)} parameters — {listed}"
        counted[:] = list(states)
        return None

    verdict = score_trials(spec, evidence, judge, needs_reference=False,
                           passed_text="a gradient reaches every parameter")
    if verdict.fraction >= 1 and counted:
        verdict.message += f" ({len(counted)}: {', '.join(counted[:8])}{', ...' if len(counted) > 8 else ''})"
    return verdict
