"""Finding submissions: every student folder inside a submissions folder."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Submission:
    """One student's folder; ``student`` is the folder's name."""

    student: str
    path: Path

    def digest(self) -> str:
        """A hash of every file's relative path and bytes (symlinks by their target text)."""
        h = hashlib.sha256()
        for path in sorted(self.path.rglob("*")):  # names as bytes: a file name need not be UTF-8
            h.update(os.fsencode(path.relative_to(self.path)) + b"\0")
            if path.is_symlink():
                h.update(b"link:" + os.fsencode(path.readlink()))
            elif path.is_file():
                h.update(path.read_bytes())
        return h.hexdigest()


class SubmissionsError(Exception):
    """The submissions folder cannot be read."""


def find_submissions(folder: Path, exclude: Path | None = None) -> list[Submission]:
    """Student folders in ``folder``, sorted by name; hidden folders and ``exclude`` are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise SubmissionsError(f"{folder} is not a folder of submissions (expected one sub-folder per student)")
    skip = exclude.resolve() if exclude else None
    found = [Submission(p.name, p) for p in sorted(folder.iterdir())
             if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__")) and p.resolve() != skip]
    if not found:
        raise SubmissionsError(f"{folder} holds no student folders")
    return found
