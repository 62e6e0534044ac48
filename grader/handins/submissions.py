"""Finding submissions: every student folder inside a submissions folder."""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Submission:
    """One student's folder; ``student`` is the folder's name."""

    student: str
    path: Path

    def digest(self) -> str:
        """A hash of every entry's relative path and bytes (symlinks by their target text, special
        files by their kind), read in chunks and walked without recursion: any folder can be hashed."""
        h = hashlib.sha256()
        for path in _walk(self.path):  # names as bytes: a file name need not be UTF-8
            h.update(os.fsencode(path.relative_to(self.path)) + b"\0")
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                h.update(b"link:" + os.fsencode(path.readlink()))
            elif stat.S_ISREG(mode):
                with open(path, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        h.update(chunk)
            elif not stat.S_ISDIR(mode):
                h.update(b"special:" + str(stat.S_IFMT(mode)).encode())
        return h.hexdigest()


def _walk(root: Path) -> list[Path]:
    """Every entry under ``root``, sorted, found with an explicit stack (1,200 nested folders are fine)."""
    found, stack = [], [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            found.append(path)
            if entry.is_dir(follow_symlinks=False):
                stack.append(path)
    return sorted(found)


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
