"""Inputs the rubric generates that correct code need not accept.

Two findings, both reported by ``grade audit`` (and failing it):

* integer inputs that may be negative (``low`` below 0): as ids, plain indexing wraps them around
  (``W[-1]`` is the last row) but ``index_select``, ``nn.Embedding`` and ``F.embedding`` raise, so a
  reference written one way passes while correct students written the other way crash;
* integer inputs the reference itself rejects at the edges of their range: every probe is run again
  on the reference with each integer input holding only its lowest, then only its highest value; a
  probe that then fails shows a range wider than the code accepts (``high: vocab + 1`` for ids into
  ``vocab`` rows), which only some seeds would have drawn.
"""
from __future__ import annotations

from pydantic import BaseModel

from grader.checks.arguments import INTEGER_DTYPES
from grader.checks.base import Plan
from grader.grading import run_question
from grader.plan import GradingPlan, QuestionPlan
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.protocol import InputSpec, Probe


class InputFinding(BaseModel):
    """One input of one check that correct code may not accept."""

    question: str
    check: str
    inputs: list[str]
    text: str


def _integer(spec: InputSpec) -> bool:
    return spec.dtype in INTEGER_DTYPES and spec.distribution == "randint"


def negative_ids(qplan: QuestionPlan) -> list[InputFinding]:
    """Integer inputs of the question's checks whose range reaches below 0."""
    found: dict[tuple[str, str], float] = {}
    for cid, plan in qplan.checks.items():
        for probe in plan.student + plan.reference:
            for name, spec in probe.inputs.items():
                if _integer(spec) and spec.low < 0:
                    found[(cid, name)] = min(spec.low, found.get((cid, name), 0))
    return [InputFinding(question=qplan.question.id, check=cid, inputs=[name],
                         text=f"`{name}` may hold negative integers (low {low:g}): as ids they index from the end in "
                              "plain indexing but raise in index_select, nn.Embedding and F.embedding, so correct "
                              "code can lose marks; draw ids from `low: 0`")
            for (cid, name), low in sorted(found.items())]


def _pinned(probe: Probe, edge: str) -> Probe | None:
    """The probe with every integer input holding only its lowest (``low``) or highest (``high``) value."""
    names = sorted(n for n, s in probe.inputs.items() if _integer(s))
    if not names:
        return None
    inputs = dict(probe.inputs)
    for name in names:
        spec = inputs[name]
        value = int(spec.low) if edge == "low" else int(spec.high) - 1
        inputs[name] = spec.model_copy(update={"low": value, "high": value + 1})
    return probe.model_copy(update={"id": f"{probe.id}.{edge}", "inputs": inputs})


def edge_failures(plan: GradingPlan, qplan: QuestionPlan, launcher: Launcher) -> list[InputFinding]:
    """Checks whose probes the reference fails when their integer inputs sit at an edge of their range."""
    pinned: dict[str, Plan] = {}
    for cid, check_plan in qplan.checks.items():
        probes = [p for probe in check_plan.reference or check_plan.student
                  for p in (_pinned(probe, "low"), _pinned(probe, "high")) if p is not None]
        if probes:
            pinned[cid] = Plan(student=probes)
    if not pinned:
        return []
    observed = run_question(plan, QuestionPlan(qplan.question, qplan.ctx, pinned), plan.assignment.reference_dir,
                            "student", launcher)
    findings = []
    for cid, check_plan in pinned.items():
        for probe in check_plan.student:
            obs = observed.probes.get(probe.id)
            if obs is None or obs.status == "ok":
                continue
            names = sorted(n for n, s in probe.inputs.items() if _integer(s))
            edge = "lowest" if probe.id.endswith(".low") else "highest"
            values = ", ".join(f"{n} = {int(probe.inputs[n].low)}" for n in names)
            why = obs.error.one_line() if obs.error else obs.detail
            findings.append(InputFinding(question=qplan.question.id, check=cid, inputs=names,
                                         text=f"the reference fails when the integer inputs hold their {edge} value "
                                              f"({values}): {why}; the rubric's range is wider than the code accepts"))
            break
    return findings
