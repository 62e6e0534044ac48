"""``kind: manual`` — points a marker enters later with ``grade marks import``; pending until then."""
from __future__ import annotations

from typing import Literal

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict


class Spec(CheckSpec):
    """``instructions`` tell the marker what to look for."""

    kind: Literal["manual"]
    instructions: str = ""


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Nothing runs."""
    return Plan()


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Zero points, status ``manual``, until a marker's mark is imported."""
    text = f": {spec.instructions}" if spec.instructions else ""
    return Verdict(0.0, f"pending: marked by hand{text}", status="manual")
