"""Scratch folders under the system's temporary directory that outlive no grader, even one killed by SIGKILL.

Each folder ``grade-<what>-XXXX`` has a sibling ``grade-<what>-XXXX.lock`` that its process holds locked
(``flock``) for as long as it lives; the kernel drops the lock when the process dies, however it dies. The
first folder a process makes first removes every folder whose lock nobody holds: what a killed grader
(a Slurm task preempted, a batch stopped with ``kill -9``) left behind. A lock file younger than
``GRACE_SECONDS`` is never taken: its maker may not have locked it yet; nor is one of another user's.
"""
from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

PREFIX = "grade-"
LOCK = ".lock"
GRACE_SECONDS = 10.0

_held: dict[Path, int] = {}  # folder -> the descriptor holding its lock
_swept = False
_doomed: queue.SimpleQueue[Path | None] | None = None  # folders for the background remover (None: stop)
_remover: threading.Thread | None = None


def make_folder(prefix: str) -> Path:
    """A new empty folder (mode 0700) named ``prefix`` + random, locked until ``remove_folder`` or the process's end;
    ``prefix`` starts with ``grade-``."""
    global _swept
    if not _swept:
        _swept = True
        remove_abandoned()
    fd, lock_path = tempfile.mkstemp(prefix=prefix, suffix=LOCK)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        folder = Path(lock_path[: -len(LOCK)])
        folder.mkdir(mode=0o700)
    except BaseException:
        os.close(fd)
        os.unlink(lock_path)
        raise
    _held[folder] = fd
    return folder


def remove_folder(folder: Path) -> None:
    """Remove a folder made by ``make_folder``, then its lock."""
    shutil.rmtree(folder, ignore_errors=True)
    fd = _held.pop(folder, None)
    with contextlib.suppress(OSError):
        os.unlink(f"{folder}{LOCK}")
    if fd is not None:
        os.close(fd)


def remove_folder_soon(folder: Path) -> None:
    """``remove_folder`` in a background thread, so the caller goes on at once: removing the folder of a file
    just graded costs up to a millisecond on ext4 (the child's end and the next child's start share the disk's
    locks). Every folder queued is removed before the process exits; a killed process's are swept by the next."""
    global _doomed, _remover
    if _remover is None or not _remover.is_alive():
        _doomed = queue.SimpleQueue()
        _remover = threading.Thread(target=_remove_queued, args=(_doomed,), name="scratch-remover", daemon=True)
        _remover.start()
        atexit.register(_finish_removals, _doomed, _remover)
    _doomed.put(folder)


def _remove_queued(doomed: queue.SimpleQueue) -> None:
    while (folder := doomed.get()) is not None:
        remove_folder(folder)


def _finish_removals(doomed: queue.SimpleQueue, remover: threading.Thread) -> None:
    doomed.put(None)
    remover.join()


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """``make_folder(prefix)``, removed when the block ends."""
    folder = make_folder(prefix)
    try:
        yield folder
    finally:
        remove_folder(folder)


def remove_abandoned(root: str | None = None) -> list[str]:
    """Remove the scratch folders (and their locks) whose process has ended; the names removed."""
    root = root or tempfile.gettempdir()
    removed = []
    try:
        names = [n for n in os.listdir(root) if n.startswith(PREFIX) and n.endswith(LOCK)]
    except OSError:
        return removed
    for name in names:
        lock_path = os.path.join(root, name)
        if _abandoned(lock_path):
            shutil.rmtree(lock_path[: -len(LOCK)], ignore_errors=True)
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
            removed.append(name[: -len(LOCK)])
    return removed


def _abandoned(lock_path: str) -> bool:
    """Whether nobody holds the lock at ``lock_path`` (and it is old enough to have been taken); a lock of
    another user's is never taken."""
    try:
        fd = os.open(lock_path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        status = os.fstat(fd)
        if status.st_uid != os.getuid() or time.time() - status.st_mtime < GRACE_SECONDS:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True
    finally:
        os.close(fd)
