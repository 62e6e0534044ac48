"""How children are started and stopped: the launcher interface, and the spawn launcher.

A launcher starts one child per request and hands back a ``ChildHandle``. Every process the
handle signals is one the launcher side knows from the kernel (a pid it forked or spawned, the
members of the child's cgroups, the children of the process it started), never one the child
named: the child shares its process with student code, so its word is worth nothing.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from grader.sandbox.layers import cgroups

if TYPE_CHECKING:  # the grade script imports this module before anything else: pydantic costs 0.15 s
    from grader.sandbox.protocol import ChildRequest

ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TORCH_HOME", "CUDA_VISIBLE_DEVICES")


@dataclass
class ChildExit:
    """How a child ended: its exit status (negative: killed by that signal), and whether the
    kernel killed it for going over its memory limit."""

    returncode: int | None
    out_of_memory: bool = False


class ChildHandle(Protocol):
    """The parent's handle on one running child."""

    def stop(self) -> None:
        """Kill the child and everything it started (idempotent)."""

    def wait(self) -> ChildExit:
        """Block until the child's end is known."""

    def release(self) -> None:
        """The child finished cleanly and was stopped: its exit status is not needed."""


def spares_for(workers: int) -> int:
    """How many spare children the fork server keeps for ``workers``: one more than the workers (a worker's next
    file comes before a spare forked at its previous file is ready); where a core is free (``free_core``), three
    more, so that replacements wait for a lull in a long run (``zygote.QUIET_WHILE_STOCKED``) instead of being
    forked beside the short files that follow a hand-out (measured at one worker on two cores: overhead per file
    ~1.6 ms less)."""
    return workers + (3 if free_core(workers) else 1)


def free_core(workers: int) -> bool:
    """Whether ``workers`` leave a core of this process's for a child started early (``runner.start_early``): a
    worker's next file then sets itself up beside the running one. Where every core already has a worker, that
    set-up only takes time from the running children (measured at ``-j 2`` on two cores: a batch 7% slower)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return workers < cores


class Launcher(Protocol):
    """Starts sandboxed children; ``layers`` are the layers it provides itself; ``early_starts``: whether a worker's
    next file may have its child started while the one before runs (``free_core``)."""

    name: str
    layers: tuple[str, ...]
    early_starts: bool

    def start(self, request: ChildRequest, request_file: Path, channel_fd: int, output_fd: int,
              go_fd: int | None = None) -> ChildHandle:
        """Start one child for ``request``; its stdout and stderr go to ``output_fd``. With ``go_fd`` (the read end
        of a pipe) the child sets itself up and waits for one byte on it before it imports the student's file."""

    def __enter__(self) -> "Launcher": ...

    def __exit__(self, *exc) -> None: ...


def child_environment(home: str) -> dict[str, str]:
    """The scrubbed environment a child sees: an allow-list plus headless, single-thread settings."""
    env = {k: v for k, v in os.environ.items() if k in ENV_ALLOW}
    env.update(HOME=home, TMPDIR=home, MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


def group_limits(request: ChildRequest) -> tuple[int | None, int | None]:
    """``(max_pids, memory_mb)`` for the child's cgroups; None where the request switches that layer off."""
    s = request.sandbox
    return (None if "pids-cgroup" in s.disable else s.max_processes,
            None if "memory-cgroup" in s.disable else s.memory_mb)


class _SpawnedChild:
    """A child started as a fresh interpreter, with the cgroups the parent made for it."""

    def __init__(self, proc: subprocess.Popen, groups: list[Path]) -> None:
        self.proc, self.groups = proc, groups

    def stop(self) -> None:
        _kill_verified_children(self.proc.pid)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        cgroups.kill_all(self.groups)

    def wait(self) -> ChildExit:
        returncode = self.proc.wait()
        oom = cgroups.oom_killed(self.groups)
        cgroups.remove(self.groups)
        return ChildExit(returncode, oom)

    def release(self) -> None:
        self.wait()


def _kill_verified_children(parent: int) -> None:
    """SIGKILL the children the kernel lists for ``parent`` (the init of a spawned child's PID
    namespace), each pinned by a pidfd and checked to still be ``parent``'s child."""
    try:
        listed = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return
    for pid in map(int, listed):
        cgroups.kill_pinned(pid, lambda pid=pid: _parent_of(pid) == parent)


def _parent_of(pid: int) -> int:
    """The parent pid the kernel gives for ``pid`` (field 4 of ``/proc/PID/stat``, after the name)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


class SpawnLauncher:
    """Starts each child as a fresh ``python -m grader.sandbox.child.entry`` in its own process group."""

    name = "spawn"
    layers = ("process-group", "wall-clock-timeout", "private-copy", "scrubbed-environment")

    def __init__(self, size: int = 1) -> None:
        self.early_starts = free_core(size)

    def __enter__(self) -> "SpawnLauncher":
        return self

    def __exit__(self, *exc) -> None:
        cgroups.sweep(wait=5.0)

    def start(self, request: ChildRequest, request_file: Path, channel_fd: int, output_fd: int,
              go_fd: int | None = None) -> _SpawnedChild:
        """Create the child's cgroups, write its request, start it."""
        s = request.sandbox
        limits = group_limits(request)
        groups = cgroups.create(*limits) if limits != (None, None) else []
        request = request.model_copy(update={"sandbox": s.model_copy(update={"cgroups": [str(g) for g in groups]})})
        request_file.write_text(request.model_dump_json())
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.child.entry", str(request_file), str(channel_fd),
                 *([] if go_fd is None else [str(go_fd)])],
                pass_fds=(channel_fd,) + (() if go_fd is None else (go_fd,)), stdin=subprocess.DEVNULL,
                stdout=output_fd, stderr=output_fd,
                start_new_session=True, env=child_environment(str(request_file.parent)))
        except BaseException:
            cgroups.remove(groups)
            raise
        return _SpawnedChild(proc, groups)
