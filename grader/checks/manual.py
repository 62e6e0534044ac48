"""``kind: manual`` — points a marker enters later with ``grade marks import``; pending until then."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict


class Spec(CheckSpec):
    """``instructions`` tell the marker what to look for; ``answer_key`` names a reference
    function (``file.py:function``) whose table `grade sheet` prints beside them."""

    kind: Literal["manual"]
    instructions: str = ""
    answer_key: str | None = Field(None, pattern=r"^[\w./-]+\.py:[A-Za-z_]\w*$")


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Nothing runs."""
    return Plan()


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Zero points, status ``manual``, until a marker's mark is imported."""
    text = f": {spec.instructions}" if spec.instructions else ""
    return Verdict(0.0, f"pending: marked by hand{text}", status="manual")
