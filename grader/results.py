"""Result models and the results store: one JSON file per submission, written atomically."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from grader.checks.base import Status
from grader.handins.student_names import clean_name, clean_text, storage_name

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


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def result_path(out_dir: Path, student: str) -> Path:
    """``<out>/results/<stem>.json``, the stem from ``storage_name`` (the name itself when it is plain)."""
    return out_dir / "results" / f"{storage_name(student)}.json"


def save_result(out_dir: Path, result: Result) -> Path:
    """Store one result atomically and return its path."""
    path = result_path(out_dir, result.student)
    write_atomic(path, result.model_dump_json(indent=2))
    return path


def load_result(out_dir: Path, student: str) -> Result | None:
    """A stored result, or None when absent or unreadable (it will be graded again)."""
    path = result_path(out_dir, student)
    try:
        return Result.model_validate_json(path.read_text())
    except (OSError, ValueError):
        return None


def remove_partial_writes(out_dir: Path) -> int:
    """Delete temporary files a killed run left behind; returns how many."""
    folder = out_dir / "results"
    stale = list(folder.glob(".*.tmp")) if folder.is_dir() else []
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def write_manifest(out_dir: Path, assignment: str, executor: str, fingerprints: dict[str, str],
                   failed: list[str] | None = None) -> None:
    """``<out>/batch.json``: what the running (or last) batch grades, for ``grade status``."""
    manifest = {"assignment": assignment, "executor": executor, "students": fingerprints,
                "failed": sorted(failed or []), "finished": failed is not None}
    write_atomic(out_dir / "batch.json", json.dumps(manifest, indent=2))


def load_results(out_dir: Path) -> list[Result]:
    """Every stored result, sorted by student."""
    folder = out_dir / "results"
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    return [Result.model_validate_json(p.read_text()) for p in files]
