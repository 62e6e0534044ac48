"""Result models: what grading one submission produced, the JSON other tools read."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from grader.checks.base import Status
from grader.handins.student_names import clean_name, clean_text

MAX_TEXT_CHARS = 20_000  # any one string a result stores (messages, output, details); longer ones are cut, marked


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value, MAX_TEXT_CHARS)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class _CleanText(BaseModel):
    """Every string a result holds is valid Unicode and bounded, so JSON, HTML and CSV can always be written."""

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        return _clean(data) if isinstance(data, dict) else data


class CheckResult(_CleanText):
    """The points and message of one check for one student."""

    id: str
    kind: str
    title: str = ""
    points: float
    max_points: float
    status: Status
    message: str
    visibility: Literal["public", "hidden"] = "public"
    details: dict[str, Any] = Field(default_factory=dict)


class QuestionResult(_CleanText):
    """One question file's checks."""

    id: str
    title: str = ""
    points: float
    max_points: float
    checks: list[CheckResult]
    output: str = ""
    code_seconds: float = 0.0


class Result(_CleanText):
    """Everything graded for one submission; the JSON other tools read."""

    student: str
    assignment: str
    total: float
    max_total: float
    questions: list[QuestionResult]
    sandbox: list[str]
    sandbox_missing: list[str] = Field(default_factory=list)
    grader_version: str
    device: str = "cpu"
    launcher: str = "spawn"
    fingerprint: str = ""
    seconds: float = 0.0

    @field_validator("student")
    @classmethod
    def _bounded_name(cls, student: str) -> str:
        return clean_name(student)

    def recompute(self) -> "Result":
        """Refresh question points and the total from the checks (after manual marks)."""
        for q in self.questions:
            q.points = round(sum(c.points for c in q.checks), 6)
        self.total = round(sum(q.points for q in self.questions), 6)
        return self
