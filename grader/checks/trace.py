"""``kind: trace`` — which torch functions a call really ran, recorded in the child.

Catches what the source cannot show: ``getattr(torch, "ein" + "sum")``, autograd hidden in a
helper module, a required op written but never reached.
"""
from __future__ import annotations

import fnmatch
from typing import Literal

from pydantic import Field

from grader.checks.base import Evidence, Plan, PlanContext, Verdict
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials


class Spec(ScenarioSpec):
    """Op names are glob patterns: ``torch.einsum``, ``Tensor.backward``, ``torch.autograd.*``.

    A required pattern may list alternatives with ``|``: ``Tensor.backward|torch.autograd.grad``.
    """

    kind: Literal["trace"]
    require_ops: list[str] = Field(default_factory=list)
    forbid_ops: list[str] = Field(default_factory=list)


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Student probes with tracing on for every call of the scenario."""
    return Plan(student=[build_probe(spec, t, ctx, trace=True) for t in range(spec.trials)])


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Fails a trial on the first forbidden op that ran or required op that did not."""

    def judge(_ref, student, _trial):
        for pattern in spec.forbid_ops:
            hits = {op: n for op, n in student.ops.items() if fnmatch.fnmatchcase(op, pattern)}
            if hits:
                ran = ", ".join(f"{op} ({n}x)" for op, n in sorted(hits.items()))
                return f"the code ran {ran}, which this question does not allow"
        for pattern in spec.require_ops:
            alternatives = pattern.split("|")
            if not any(fnmatch.fnmatchcase(op, alt) for op in student.ops for alt in alternatives):
                return f"the code never ran {' or '.join(alternatives)}"
        return None

    return score_trials(spec, evidence, judge, needs_reference=False, passed_text="the traced torch ops follow the rules")
