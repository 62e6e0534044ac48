"""``kind: artifact`` — a file the student must hand in exists, is not empty, and has the right format."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict

MAGIC = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n"}
HEADER_WINDOW = {"pdf": 1024, "png": 0}
"""Where the signature may start: PDF readers accept it within the first 1,024 bytes; a PNG's is its first 8."""


class Spec(CheckSpec):
    """``file: question2_result.pdf``, ``format: pdf``."""

    kind: Literal["artifact"]
    file: str
    format: Literal["pdf", "png", "any"] = "any"
    min_bytes: int = Field(1, ge=1)


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Nothing runs: the file is inspected in the parent."""
    return Plan()


def _not_there(spec: Spec, folder: Path) -> str | None:
    """Why the file cannot be graded as handed in (a link, a folder, absent), or None for a regular file."""
    path = folder / spec.file
    if path.is_symlink():
        return f"{spec.file} is a symbolic link; links are not followed"
    if not path.resolve().is_relative_to(folder.resolve()):
        return f"{spec.file} is in a linked folder; links are not followed"
    if path.is_dir():
        return f"{spec.file} is a folder, not a file"
    if path.exists() and not path.is_file():
        return f"{spec.file} is not a regular file"
    if path.is_file():
        return None
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    stem = spec.file.rsplit(".", 1)[0]
    near = [p for p in present if p.lower() == spec.file.lower() or p.rsplit(".", 1)[0] == stem]
    hint = f" (found {', '.join(near)}: the name must be exactly {spec.file})" if near else ""
    return f"{spec.file} is missing{hint}"


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Full points for a present, non-empty file of the right format."""
    if problem := _not_there(spec, evidence.submission_dir):
        return Verdict(0.0, problem)
    path = evidence.submission_dir / spec.file
    size = path.stat().st_size
    if size < spec.min_bytes:
        small = "empty" if size == 0 else f"only {size:,} bytes (at least {spec.min_bytes:,} expected)"
        return Verdict(0.0, f"{spec.file} is {small}")
    if spec.format in MAGIC:
        magic = MAGIC[spec.format]
        with open(path, "rb") as f:
            head = f.read(HEADER_WINDOW[spec.format] + len(magic))
        if not 0 <= head.find(magic) <= HEADER_WINDOW[spec.format]:
            return Verdict(0.0, f"{spec.file} is not a real {spec.format.upper()} file (it starts with {head[:8]!r})")
    return Verdict(1.0, f"{spec.file} is present ({size:,} bytes)")
