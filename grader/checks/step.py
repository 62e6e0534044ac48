"""``kind: step`` — one optimiser step must change each parameter to ``W - lr * dW``.

The expected values are computed in the parent from the regenerated inputs.
"""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.checks.base import Evidence, Plan, PlanContext, Tolerance, Verdict
from grader.checks.compare import compare_tensors
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.diagnosis.explain import name_the_mistake
from grader.inputs import generate_inputs


class Spec(ScenarioSpec):
    """``updates: {W1: dW1}`` maps each parameter attribute to its gradient attribute."""

    kind: Literal["step"]
    lr: float = Field(gt=0)
    updates: dict[str, str] = Field(min_length=1)
    tolerance: Tolerance = Tolerance()


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Only the student runs; the expectation is a formula."""
    return Plan(student=[build_probe(spec, t, ctx, observe=list(spec.updates)) for t in range(spec.trials)])


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Share of trials where every parameter moved to ``W - lr * dW``."""

    def judge(_ref, student, trial):
        probe = build_probe(spec, trial, evidence.ctx)
        inputs = generate_inputs(probe.inputs, probe.seed)
        for param, grad in spec.updates.items():
            expected = inputs[f"attr.{param}"] - spec.lr * inputs[f"attr.{grad}"]
            got = student.values.get(param)
            if got is None or got.tensor is None:
                return f"`{param}` is not a tensor after the step ({got.describe() if got else 'missing'})"
            problem = compare_tensors(expected, got.tensor, spec.tolerance, check_dtype=False)
            if problem:
                return f"after one step {param} should be {param} - lr * {grad} with lr={spec.lr:g}; {problem}"
        return None

    def correct(_ref, trial):
        probe = build_probe(spec, trial, evidence.ctx)
        inputs = generate_inputs(probe.inputs, probe.seed)
        return {param: (inputs[f"attr.{param}"] - spec.lr * inputs[f"attr.{grad}"], inputs[f"attr.{param}"])
                for param, grad in spec.updates.items()}

    verdict = score_trials(spec, evidence, judge, needs_reference=False,
                           passed_text=f"`{spec.call}` moves each parameter to W - lr * dW")
    return name_the_mistake(verdict, spec, evidence, spec.tolerance, correct)
