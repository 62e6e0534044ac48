"""The child's own copy of the submission, made before any student code runs.

The child copies the folder the grader named straight into its private tmpfs (mounted, in its own
mount namespace, on an empty folder the launcher keeps until its children are gone: removing a
folder that is a mount point in a living namespace costs the grader milliseconds), so the
submission is copied once and nothing of the child's is left on the real disk. Where the tmpfs
layer is off or refused, it copies into the scratch folder the grader made for it on disk
instead: student code never runs in the handed-in folder. FIFOs, sockets and devices are left
out, never opened (a FIFO would hang the copy).
"""
from __future__ import annotations

import os
import shutil
import stat


class CopyFailed(Exception):
    """The submission could not be copied; the message says why, for the student's report."""


def special_files(folder: str, names: list[str]) -> set[str]:
    """The entries of ``folder`` that are neither files, folders nor links (``shutil.copytree``'s ``ignore``)."""
    special = set()
    for name in names:
        try:
            mode = os.lstat(os.path.join(folder, name)).st_mode
        except OSError:
            special.add(name)
            continue
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            special.add(name)
    return special


def open_source(source: str) -> int:
    """A descriptor on the submission's folder, taken before a mount can hide the path (close it after copying)."""
    return os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def copy_submission(source_fd: int, target: str) -> None:
    """Copy the folder ``source_fd`` refers to into ``target`` (links kept as links); raise CopyFailed."""
    try:
        shutil.copytree(f"/proc/self/fd/{source_fd}", target, symlinks=True, ignore=special_files)
    except (OSError, shutil.Error, RecursionError) as exc:
        raise CopyFailed(f"{type(exc).__name__}: {str(exc)[:200]}") from None
