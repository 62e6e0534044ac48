"""A pids cgroup per child: the fork-bomb limit that works for root, where RLIMIT_NPROC does not.

The parent creates the group before the child starts and removes it after; the child joins it
before running student code. cgroup v2 (a ``pids`` controller in a writable hierarchy) and the
v1 ``pids`` hierarchy are both supported; without either the layer is reported missing.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

V1_ROOT = Path("/sys/fs/cgroup/pids")
V2_ROOT = Path("/sys/fs/cgroup")
GROUP = "torch-grader"
_pending: list[Path] = []
_lock = threading.Lock()


def _writable_root() -> Path | None:
    if (V1_ROOT / "pids.max").exists() or (V1_ROOT / "cgroup.procs").exists():
        return V1_ROOT
    controllers = V2_ROOT / "cgroup.controllers"
    if controllers.exists() and "pids" in controllers.read_text().split():
        return V2_ROOT
    return None


def create(max_pids: int) -> Path | None:
    """A fresh pids group limited to ``max_pids`` tasks, or None where that is not possible."""
    sweep()
    root = _writable_root()
    if root is None:
        return None
    try:
        parent = root / GROUP
        parent.mkdir(exist_ok=True)
        _remove_orphans(parent)
        if root == V2_ROOT:
            for level in (root, parent):
                (level / "cgroup.subtree_control").write_text("+pids")
        group = parent / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        group.mkdir()
        set_limit(group, max_pids)
        return group
    except OSError:
        return None


_orphans_checked = False


def _remove_orphans(parent: Path) -> None:
    """Once per process: remove empty groups left by graders that were killed."""
    global _orphans_checked
    if _orphans_checked:
        return
    _orphans_checked = True
    for group in parent.iterdir():
        owner = group.name.split("-", 1)[0]
        if group.is_dir() and owner.isdigit() and not Path(f"/proc/{owner}").exists():
            _try_remove(group)


def remove_owned_by(owner: int, wait: float = 3.0) -> None:
    """Remove every group created by process ``owner`` (a fork server that has exited)."""
    root = _writable_root()
    parent = root / GROUP if root else None
    if parent is None or not parent.is_dir():
        return
    with _lock:
        _pending.extend(g for g in parent.glob(f"{owner}-*") if g.is_dir())
    sweep(wait)


def join(group: str | Path) -> None:
    """Move the calling process into ``group`` (its future children follow)."""
    Path(group, "cgroup.procs").write_text("0")


def current() -> Path | None:
    """The grader pids group this process already belongs to, if any."""
    root = _writable_root()
    if root is None:
        return None
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if f"/{GROUP}/" in path and ("pids" in controllers.split(",") or (root == V2_ROOT and controllers == "")):
            return root / path.lstrip("/")
    return None


def set_limit(group: Path, max_pids: int) -> None:
    """Change a group's task limit."""
    (group / "pids.max").write_text(str(max_pids))


def _try_remove(group: Path) -> bool:
    try:
        group.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def remove(group: Path) -> None:
    """Remove a group now, or later if its last tasks are still exiting."""
    if not _try_remove(group):
        with _lock:
            _pending.append(group)


def sweep(wait: float = 0.0) -> None:
    """Remove the groups whose tasks have gone since; wait up to ``wait`` seconds for the rest."""
    deadline = time.monotonic() + wait
    while True:
        with _lock:
            _pending[:] = [g for g in _pending if not _try_remove(g)]
            left = bool(_pending)
        if not left or time.monotonic() >= deadline:
            return
        time.sleep(0.01)
