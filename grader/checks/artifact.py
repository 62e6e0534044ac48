"""``kind: artifact`` — a file the student must hand in exists, is not empty, and has the right format."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict

MAGIC = {"pdf": b"%PDF-", "png": b"\x89PNG\r\n\x1a\n"}


class Spec(CheckSpec):
    """``file: question2_result.pdf``, ``format: pdf``."""

    kind: Literal["artifact"]
    file: str
    format: Literal["pdf", "png", "any"] = "any"
    min_bytes: int = Field(1, ge=1)


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Nothing runs: the file is inspected in the parent."""
    return Plan()


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Full points for a present, non-empty file of the right format."""
    path = evidence.submission_dir / spec.file
    inside = path.resolve().is_relative_to(evidence.submission_dir.resolve())  # no folder on the way is a link out
    if not inside or not path.is_file() or path.is_symlink():
        present = sorted(p.name for p in evidence.submission_dir.iterdir()) if evidence.submission_dir.is_dir() else []
        near = [p for p in present if p.lower() == spec.file.lower() or p.rsplit(".", 1)[0] == spec.file.rsplit(".", 1)[0]]
        hint = f" (found {', '.join(near)}: the name must be exactly {spec.file})" if near else ""
        return Verdict(0.0, f"{spec.file} is missing{hint}")
    size = path.stat().st_size
    if size < spec.min_bytes:
        return Verdict(0.0, f"{spec.file} is {'empty' if size == 0 else f'only {size} bytes'}")
    if spec.format in MAGIC:
        with open(path, "rb") as f:
            head = f.read(1024)
        if MAGIC[spec.format] not in head[:1024]:
            return Verdict(0.0, f"{spec.file} is not a real {spec.format.upper()} file (it starts with {head[:8]!r})")
    return Verdict(1.0, f"{spec.file} is present ({size:,} bytes)")
