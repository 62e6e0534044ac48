"""``kind: gradient`` — gradients written by hand against torch.autograd on the same inputs.

The student's scenario runs forward then backward and the check reads the gradient attributes.
The expected gradients come from the reference's forward on the same generated inputs,
differentiated with ``torch.autograd.grad`` in the reference run (trusted code, cached with
the reference observations): the student's process never computes what it is compared with.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Tolerance, Verdict, tolerance_for
from grader.checks.compare import compare_values
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.diagnosis.explain import name_the_mistake
from grader.sandbox.protocol import Step


class Spec(ScenarioSpec):
    """``gradients: {dW1: W1}`` maps the attribute holding a gradient to the tensor it differentiates."""

    kind: Literal["gradient"]
    gradients: dict[str, str] = Field(min_length=1)
    loss: str = "loss"
    tolerance: Tolerance = Tolerance(rtol=1e-4, atol=1e-5)
    gpu_tolerance: Tolerance | None = None

    @model_validator(mode="after")
    def _differentiable(self) -> "Spec":
        missing = [p for p in self.gradients.values() if p not in self.attributes]
        if missing:
            raise ValueError(f"gradients name {missing}, which are not set in `attributes`; "
                             "set each differentiated tensor there so both runs use the same values")
        if not any(c.save == self.loss for c in self.setup):
            raise ValueError(f"no setup call saves `{self.loss}`; add `save: {self.loss}` to the forward call")
        return self


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Student: forward, backward, read gradients. Reference: forward, then autograd."""
    params = list(spec.gradients.values())
    student = [build_probe(spec, t, ctx, observe=list(spec.gradients)) for t in range(spec.trials)]
    autograd = Step(grad=spec.loss, wrt=[{"input": f"attr.{p}"} for p in params], observe="autograd")
    forward_only = spec.model_copy(update={"call": None})
    reference = [build_probe(forward_only, t, ctx, grad_attributes=set(params), extra=[autograd])
                 for t in range(spec.trials)]
    return Plan(student=student, reference=reference)


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Share of trials where every hand gradient matches autograd's."""
    tol = tolerance_for(spec.tolerance, spec.gpu_tolerance, evidence.ctx.device)

    def judge(ref, student, trial):
        expected = ref.values["autograd"].items
        for (name, param), exp in zip(spec.gradients.items(), expected):
            if name not in student.values:
                return f"`{name}` was not set by backward()"
            problem = compare_values(exp, student.values[name], tol, check_dtype=False)
            if problem:
                return f"{name} (the gradient of the loss with respect to {param}) — {problem}"
        return None

    names = ", ".join(spec.gradients)
    verdict = score_trials(spec, evidence, judge, passed_text=f"{names} match autograd")
    return name_the_mistake(verdict, spec, evidence, tol, lambda ref, _trial: {
        name: (exp, None) for name, exp in zip(spec.gradients, ref.values["autograd"].items)})
