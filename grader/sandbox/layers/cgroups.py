"""Control groups per child: a pids group (the fork-bomb limit that works for root, where
RLIMIT_NPROC does not) and a memory group (what RLIMIT_AS cannot bound: memfd, tmpfs, shared
memory). Their member lists also tell the parent, from the kernel, which processes to kill.

The launcher side creates a child's groups before the child starts and removes them after; the
child joins them before running student code. cgroup v1 (one hierarchy per controller, groups
nested under the grader's own) and cgroup v2 (one group holding both controllers) are supported;
a controller that is missing is reported as a missing layer.
"""
from __future__ import annotations

import functools
import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Callable

V1 = Path("/sys/fs/cgroup")
V2_ROOT = Path("/sys/fs/cgroup")
GROUP = "torch-grader"
CONTROLLERS = ("pids", "memory")
LAYER = {"pids": "pids-cgroup", "memory": "memory-cgroup"}
_pending: list[Path] = []
_lock = threading.Lock()
_orphans_checked: set[Path] = set()
ORPHAN_AGE = 120  # seconds: a group left empty this long by a creator that is gone is an orphan


@functools.lru_cache(maxsize=1)
def _v2() -> bool:
    controllers = V2_ROOT / "cgroup.controllers"
    return controllers.exists() and bool({"pids", "memory"} & set(controllers.read_text().split()))


def _own_path(controller: str) -> str:
    """This process's group in the v1 hierarchy of ``controller`` (``/`` at the root)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return path
    return "/"


@functools.lru_cache(maxsize=1)
def parents() -> dict[str, Path]:
    """Where each available controller's child groups live: ``{controller: folder}``."""
    if _v2():
        available = set((V2_ROOT / "cgroup.controllers").read_text().split())
        return {c: V2_ROOT / GROUP for c in CONTROLLERS if c in available}
    found = {}
    for controller in CONTROLLERS:
        root = V1 / controller
        if (root / "cgroup.procs").exists():
            own = _own_path(controller).split(f"/{GROUP}/")[0]
            found[controller] = root / own.lstrip("/") / GROUP
    return found


def create(max_pids: int | None, memory_mb: int | None) -> list[Path]:
    """Fresh groups for one child: a task limit of ``max_pids`` and a memory limit of ``memory_mb``
    MiB (None: that controller is not used); [] where no group can be made."""
    sweep()
    wanted = {"pids": max_pids, "memory": memory_mb}
    name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    groups: list[Path] = []
    for controller, parent in parents().items():
        if wanted[controller] is None:
            continue
        try:
            if not parent.is_dir():
                parent.mkdir(exist_ok=True)
            _remove_orphans(parent)
            if _v2():
                for level in (parent.parent, parent):
                    (level / "cgroup.subtree_control").write_text(f"+{controller}")
            group = parent / name
            if group not in groups:
                group.mkdir(exist_ok=True)
                groups.append(group)
        except OSError:
            continue
    set_limits(groups, max_pids, memory_mb)
    return groups


def set_limits(groups: list[Path], max_pids: int | None, memory_mb: int | None) -> bool:
    """Set the task and memory limits of a child's groups (swap, where present, gets none); whether each group
    has them now (the kernel refuses a memory limit below what the group already uses)."""
    settings = []
    if max_pids is not None:
        settings.append(("pids.max", str(max_pids)))
    if memory_mb is not None:
        limit = str(memory_mb << 20)  # v1 refuses memsw below the limit: raising needs memsw first, lowering last
        settings += [("memory.memsw.limit_in_bytes", limit), ("memory.limit_in_bytes", limit),
                     ("memory.memsw.limit_in_bytes", limit), ("memory.max", limit), ("memory.swap.max", "0")]
    for group in groups:
        for file, value in settings:
            if (group / file).exists():
                try:
                    (group / file).write_text(value)
                except OSError:
                    pass
    return all(_reads(group / file, value) for group in groups for file, value in settings
               if "swap" not in file and "memsw" not in file and (group / file).exists())


def _reads(path: Path, value: str) -> bool:
    try:
        return path.read_text().strip() == value
    except OSError:
        return False


def join(groups: list[Path] | list[str]) -> None:
    """Move the calling process into ``groups`` (its future children follow)."""
    for group in groups:
        Path(group, "cgroup.procs").write_text("0")


def layers_joined() -> list[str]:
    """The layer names of the grader groups this process belongs to (read from the kernel)."""
    joined = []
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if f"/{GROUP}/" not in path:
            continue
        if names == "":
            joined += [LAYER[c] for c in parents()] if _v2() else []
        joined += [LAYER[c] for c in names.split(",") if c in LAYER]
    return sorted(set(joined))


def _members(group: Path) -> list[int]:
    try:
        return [int(p) for p in (group / "cgroup.procs").read_text().split()]
    except (OSError, ValueError):
        return []


def kill_all(groups: list[Path], wait: float = 2.0) -> None:
    """SIGKILL every process the kernel lists in ``groups``, again until they are empty or
    ``wait`` seconds have passed (0: one pass).

    Each pid is pinned with a pidfd and checked to still be a member before it is signalled,
    so a pid reused by an unrelated process is never hit.
    """
    deadline = time.monotonic() + wait
    for group in groups:
        if (group / "cgroup.kill").exists():
            try:
                (group / "cgroup.kill").write_text("1")
            except OSError:
                pass
    while True:
        members = {group: _members(group) for group in groups}
        if not any(members.values()):
            return
        for group, pids in members.items():
            for pid in pids:
                kill_pinned(pid, lambda pid=pid, group=group: pid in _members(group))
        if time.monotonic() >= deadline:
            return
        time.sleep(0.002)


def kill_pinned(pid: int, still_ours: Callable[[], bool]) -> None:
    """SIGKILL ``pid`` through a pidfd, only if ``still_ours()`` holds once the pid is pinned
    (so a pid reused by an unrelated process in between is never hit)."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        if still_ours():
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except (OSError, IndexError, ValueError):
        pass
    finally:
        os.close(fd)


def oom_killed(groups: list[Path]) -> bool:
    """Whether the kernel killed a process of ``groups`` for going over the memory limit."""
    for group in groups:
        for file in ("memory.oom_control", "memory.events"):
            try:
                lines = (group / file).read_text().splitlines()
            except OSError:
                continue
            if any(line.split()[0] == "oom_kill" and int(line.split()[1]) > 0 for line in lines if line.strip()):
                return True
    return False


def _remove_orphans(parent: Path) -> None:
    """Once per process and folder: remove empty groups left by graders that were killed: their creator is not in
    ``/proc`` and they are older than ``ORPHAN_AGE`` (a grader in another PID namespace, whose creator this
    ``/proc`` does not show, may have made a group a moment ago that its child has not joined yet)."""
    if parent in _orphans_checked:
        return
    _orphans_checked.add(parent)
    for group in parent.iterdir():
        owner = group.name.split("-", 1)[0]
        if group.is_dir() and owner.isdigit() and not Path(f"/proc/{owner}").exists() and _age(group) > ORPHAN_AGE:
            _try_remove(group)


def _age(group: Path) -> float:
    """Seconds since ``group`` was made (0 when it is gone)."""
    try:
        return time.time() - group.stat().st_mtime
    except OSError:
        return 0.0


def remove_owned_by(owner: int, wait: float = 3.0) -> None:
    """Remove every group created by process ``owner`` (a fork server that has exited)."""
    with _lock:
        for parent in set(parents().values()):
            if parent.is_dir():
                _pending.extend(g for g in parent.glob(f"{owner}-*") if g.is_dir())
    sweep(wait)


def _try_remove(group: Path) -> bool:
    try:
        group.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


def remove(groups: list[Path]) -> None:
    """Remove groups now, or later if their last tasks are still exiting."""
    for group in groups:
        if not _try_remove(group):
            with _lock:
                _pending.append(group)


def remove_later(groups: list[Path]) -> None:
    """Queue groups for the next ``sweep``: a fork server removes them while no request waits (removing a memory
    group can take milliseconds)."""
    with _lock:
        _pending.extend(groups)


def removal_pending() -> bool:
    """Whether some group waits to be removed."""
    with _lock:
        return bool(_pending)


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
