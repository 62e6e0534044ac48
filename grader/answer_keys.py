"""Answer keys of manual checks, computed by running reference functions in the sandbox.

A manual check with ``answer_key: question4_key.py:forward_table_1`` gets the table that function
returns (``{"columns": [...], "rows": [[...], ...]}``) printed on the marker's sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.assignments import Assignment
from grader.observe import Value
from grader.sandbox.protocol import Probe, Step
from grader.sandbox.runner import run_file


@dataclass
class AnswerKey:
    """A table for the marker, or why it could not be computed."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    problem: str = ""


def plain(value: Value) -> Any:
    """A decoded observation as plain Python: numbers, strings, lists and dicts."""
    if value.type in ("list", "tuple"):
        return [plain(v) for v in value.items or []]
    if value.type == "dict":
        return {k: plain(v) for k, v in zip(value.keys or [], value.items or [])}
    if value.type in ("number", "bool"):
        return value.number
    if value.tensor is not None:
        return value.tensor.tolist()
    return value.text


def _table(data: Any) -> AnswerKey:
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return AnswerKey(problem="the key function must return {'columns': [...], 'rows': [[...], ...]}")
    return AnswerKey(columns=[str(c) for c in data.get("columns") or []], rows=data["rows"])


def compute_answer_keys(assignment: Assignment, launcher=None) -> dict[str, AnswerKey]:
    """``{"question/check": AnswerKey}`` for every manual check that names an ``answer_key``."""
    wanted: dict[str, list[tuple[str, str]]] = {}
    for question in assignment.rubric.questions:
        for check in question.checks:
            if getattr(check, "answer_key", None):
                file, _, function = check.answer_key.partition(":")
                wanted.setdefault(file, []).append((f"{question.id}/{check.id}", function))
    keys: dict[str, AnswerKey] = {}
    for file, entries in wanted.items():
        probes = [Probe(id=ref.replace("/", "."), steps=[Step(call=function, observe="key")], timeout=60)
                  for ref, function in entries]
        observed = run_file(file, assignment.reference_dir, probes, seed=assignment.rubric.seed, launcher=launcher)
        for (ref, function), probe in zip(entries, probes):
            obs = observed.probes.get(probe.id)
            if observed.imported.status != "ok":
                keys[ref] = AnswerKey(problem=f"{file}: {observed.imported.detail or observed.imported.error.one_line()}")
            elif obs is None or obs.status != "ok":
                why = obs.error.one_line() if obs and obs.error else (obs.detail if obs else "did not run")
                keys[ref] = AnswerKey(problem=f"{file}:{function} failed: {why}")
            else:
                keys[ref] = _table(plain(obs.values["key"]))
    return keys
