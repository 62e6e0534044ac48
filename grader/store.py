"""The output folder of a batch, owned by one ``BatchStore``: where each file lives, and whether a
stored result is still current.

Layout of ``--out``::

    results/<student>.json   one result per submission (written atomically)
    reports/<student>.html   the student's report
    index.html, marks.csv    class-wide files, rewritten from what is stored
    batch.json               the manifest: what the running (or last) batch grades
    intake.json, submissions/  what a Moodle zip held and where it was unpacked
    moodle/                  the grading worksheet and feedback zip written back
    .submitit/               Slurm's logs and pickled calls
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path

from grader.atomic import write_atomic
from grader.handins.student_names import storage_name
from grader.handins.submissions import Submission
from grader.results import Result


def fingerprint(submission: Submission, reference_version: str) -> str:
    """What a stored result depends on: the student's files, the rubric and reference, the grader."""
    return hashlib.sha256(f"{submission.digest()}|{reference_version}".encode()).hexdigest()[:32]


class BatchStore:
    """Paths and stored results of one output folder."""

    def __init__(self, out: Path) -> None:
        self.out = out

    @property
    def index_path(self) -> Path:
        """``index.html``, the class overview."""
        return self.out / "index.html"

    @property
    def marks_path(self) -> Path:
        """``marks.csv``."""
        return self.out / "marks.csv"

    @property
    def manifest_path(self) -> Path:
        """``batch.json``."""
        return self.out / "batch.json"

    @property
    def intake_path(self) -> Path:
        """``intake.json``: what an unpacked Moodle zip held and refused."""
        return self.out / "intake.json"

    @property
    def submissions_dir(self) -> Path:
        """Where a Moodle zip is unpacked."""
        return self.out / "submissions"

    @property
    def moodle_dir(self) -> Path:
        """Where Moodle's worksheet and feedback zip are written back."""
        return self.out / "moodle"

    @property
    def cluster_dir(self) -> Path:
        """submitit's folder of logs and calls."""
        return self.out / ".submitit"

    def result_path(self, student: str) -> Path:
        """``results/<stem>.json``, the stem from ``storage_name`` (the name itself when it is plain)."""
        return self.out / "results" / f"{storage_name(student)}.json"

    def report_path(self, student: str) -> Path:
        """``reports/<stem>.html``, with the same stem as the student's result."""
        return self.out / "reports" / f"{storage_name(student)}.html"

    def save(self, result: Result) -> Path:
        """Store one result atomically and return its path."""
        path = self.result_path(result.student)
        write_atomic(path, result.model_dump_json(indent=2))
        return path

    def load(self, student: str) -> Result | None:
        """A stored result, or None when absent or unreadable (it will be graded again)."""
        try:
            return Result.model_validate_json(self.result_path(student).read_text())
        except (OSError, ValueError):
            return None

    def load_all(self) -> list[Result]:
        """Every stored result, sorted by student."""
        folder = self.out / "results"
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        return [Result.model_validate_json(p.read_text()) for p in files]

    def is_current(self, student: str, wanted: str) -> Result | None:
        """The stored result of ``student`` when its fingerprint is ``wanted``, else None."""
        stored = self.load(student)
        return stored if stored and stored.fingerprint == wanted else None

    def current(self, fingerprints: dict[str, str]) -> dict[str, Result]:
        """Stored results that are current, by student (keyed by folder name: a result holds it cleaned)."""
        return {name: r for name, fp in fingerprints.items() if (r := self.is_current(name, fp))}

    def remove_partial_writes(self) -> int:
        """Delete temporary files a killed run left behind; returns how many."""
        folder = self.out / "results"
        stale = list(folder.glob(".*.tmp")) if folder.is_dir() else []
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)

    def write_manifest(self, assignment: str, executor: str, fingerprints: dict[str, str],
                       failed: list[str] | None = None, state: str = "") -> None:
        """``batch.json``: what the running (or last) batch grades, for ``grade status``. The first call
        names this process; the last (with ``failed``) keeps the job ids recorded meanwhile and says how
        the batch ended (``finished``, ``cancelled``, ``timed out``, ``failed``)."""
        previous = (self.read_manifest() or {}) if failed is not None else {}
        manifest = {"assignment": assignment, "executor": executor, "students": fingerprints,
                    "failed": sorted(failed or []), "finished": failed is not None,
                    "state": state or ("finished" if failed is not None else "running"),
                    "jobs": previous.get("jobs", []),
                    "login": previous.get("login") or {"host": socket.gethostname(), "pid": os.getpid()}}
        write_atomic(self.manifest_path, json.dumps(manifest, indent=2))

    def record_jobs(self, job_ids: list[str]) -> None:
        """Add Slurm job ids to the running batch's manifest (a rerun asks squeue whether they still run)."""
        manifest = self.read_manifest() or {}
        manifest["jobs"] = manifest.get("jobs", []) + [str(j) for j in job_ids]
        write_atomic(self.manifest_path, json.dumps(manifest, indent=2))

    def read_manifest(self) -> dict | None:
        """The manifest, or None when this folder holds no batch."""
        try:
            return json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            return None
