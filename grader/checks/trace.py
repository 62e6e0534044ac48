"""``kind: trace`` — which torch functions a call really ran, recorded in the child.

Catches what the source cannot show: ``getattr(torch, "ein" + "sum")``, autograd hidden in a
helper module, a required op written but never reached.
"""
from __future__ import annotations

import fnmatch
from typing import Literal

from pydantic import Field, model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Verdict
from grader.checks.op_names import pattern_problem
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials


class Spec(ScenarioSpec):
    """Op names are glob patterns: ``torch.einsum``, ``Tensor.backward``, ``torch.autograd.*`` (names as
    ``grader/checks/op_names.py`` describes them; a pattern that can match no recorded name is refused).

    A required pattern may list alternatives with ``|``: ``Tensor.backward|torch.autograd.grad``.
    """

    kind: Literal["trace"]
    require_ops: list[str] = Field(default_factory=list)
    forbid_ops: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _patterns_can_match(self) -> "Spec":
        for pattern in [*self.require_ops, *self.forbid_ops]:
            if problem := pattern_problem(pattern):
                raise ValueError(problem)
        return self


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Student probes with tracing on for every call of the scenario."""
    return Plan(student=[build_probe(spec, t, ctx, trace=True) for t in range(spec.trials)])


def _listed(ops: dict[str, int], limit: int = 8) -> str:
    ranked = sorted(ops.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{op} ({n}x)" for op, n in ranked[:limit])
    return text + (f" and {len(ranked) - limit} more" if len(ranked) > limit else "") if ranked else "no torch op"


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Fails a trial on the first forbidden op that ran or required op that did not; messages name the ops."""
    seen: dict[str, int] = {}

    def judge(_ref, student, _trial):
        for pattern in spec.forbid_ops:
            hits = {op: n for op, n in student.ops.items() if fnmatch.fnmatchcase(op, pattern)}
            if hits:
                return f"the code ran {_listed(hits)}, which this question does not allow"
        for pattern in spec.require_ops:
            alternatives = pattern.split("|")
            if not any(fnmatch.fnmatchcase(op, alt) for op in student.ops for alt in alternatives):
                return f"the code never ran {' or '.join(alternatives)} (it ran {_listed(student.ops)})"
            for op, n in student.ops.items():
                if any(fnmatch.fnmatchcase(op, alt) for alt in alternatives):
                    seen[op] = seen.get(op, 0) + n
        return None

    verdict = score_trials(spec, evidence, judge, needs_reference=False,
                           passed_text="the traced torch ops follow the rules")
    if verdict.fraction >= 1:
        ran = f"ran {_listed(seen)}" if seen else ""
        never = f"never ran {', '.join(spec.forbid_ops)}" if spec.forbid_ops else ""
        verdict.message += ": " + "; ".join(part for part in (ran, never) if part)
    return verdict
