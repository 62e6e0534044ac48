"""Answer keys of manual checks, computed by running reference functions in the sandbox.

A manual check with ``answer_key: question4_key.py:forward_table_1`` gets the table that function
returns (``{"columns": [...], "rows": [[...], ...]}``) printed on the marker's sheet.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.sandbox.parent.launcher import Launcher
from grader.assignments import Assignment
from grader.authoring.reference_calls import call_reference


@dataclass
class AnswerKey:
    """A table for the marker, or why it could not be computed."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    problem: str = ""


def _table(data: Any) -> AnswerKey:
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        return AnswerKey(problem="the key function must return {'columns': [...], 'rows': [[...], ...]}")
    return AnswerKey(columns=[str(c) for c in data.get("columns") or []], rows=data["rows"])


def compute_answer_keys(assignment: Assignment, launcher: Launcher | None = None) -> dict[str, AnswerKey]:
    """``{"question/check": AnswerKey}`` for every manual check that names an ``answer_key``."""
    wanted: dict[str, dict[str, tuple[str, dict]]] = {}
    for question in assignment.rubric.questions:
        for check in question.checks:
            if getattr(check, "answer_key", None):
                file, _, function = check.answer_key.partition(":")
                wanted.setdefault(file, {})[f"{question.id}.{check.id}"] = (function, {})
    keys: dict[str, AnswerKey] = {}
    for file, calls in wanted.items():
        outcomes = call_reference(assignment.reference_dir, file, calls, seed=assignment.rubric.seed, launcher=launcher)
        for key, outcome in outcomes.items():
            question_id, _, check_id = key.partition(".")
            keys[f"{question_id}/{check_id}"] = AnswerKey(problem=outcome.problem) if outcome.problem else \
                _table(outcome.value)
    return keys
