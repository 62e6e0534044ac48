"""The fork-server launcher: one zygote for every worker (Linux); ``make_launcher`` picks it or spawn.

Children are killed by their zygote, which knows them as unreaped children of its own, so a pid
can never have been reused; the parent only says which of the zygote's children to kill.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from grader.cache import cache_root
from grader.scratch import make_folder, remove_folder
from grader.sandbox.layers import cgroups
from grader.sandbox.parent.launcher import (ChildExit, Launcher, SpawnLauncher, child_environment, free_core,
                                            group_limits, spares_for)

if TYPE_CHECKING:  # the grade script starts a fork server through this module before anything else is imported
    from grader.sandbox.protocol import ChildRequest

READY_TIMEOUT = 180.0


class LauncherError(Exception):
    """A fork server could not be started or stopped answering."""


class _Zygote:
    """One fork server and the socket that talks to it, shared by every worker thread of a launcher.

    Any thread waiting for a message (readiness, the pid of the child it asked for, a child's end)
    reads the socket while no other thread does, and files what it reads for whoever waits for it."""

    def __init__(self, students: tuple[str, str] | None = None) -> None:
        self.home = str(make_folder("grade-zygote-"))
        self.box = os.path.join(self.home, "box")  # every child's tmpfs mount point, kept until the zygote is gone
        os.mkdir(self.box)
        self.probe_sets: set[str] = set()  # the keys of the probe sets written to its folder
        self.exits: dict[int, ChildExit] = {}
        self.detached: set[int] = set()
        self.ready = False
        self.failure = ""  # why the fork server can no longer be used
        self._replies: dict[int, dict] = {}
        self._tags = itertools.count(1)
        self._cv = threading.Condition()
        self._reading = False
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = parent_sock
        command = [sys.executable, "-m", "grader.sandbox.parent.zygote", str(child_sock.fileno())]
        command += list(students) if students else []
        self.proc = subprocess.Popen(command, pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL,
                                     env=_zygote_environment(self.home), cwd=self.home, start_new_session=True)
        child_sock.close()

    def configure(self, workers: int, preload: tuple[str, ...]) -> None:
        """How many workers it serves (and so how many spare children to keep: ``spares_for``), and what else to
        import before the requests that follow."""
        self.sock.send(json.dumps({"spares": spares_for(workers), "workers": workers}).encode())
        if preload:
            self.sock.send(json.dumps({"preload": list(preload)}).encode())

    def wait_ready(self) -> "_Zygote":
        """Block until the fork server has warmed up; raise LauncherError when it did not start."""
        self._await(lambda: self.ready, READY_TIMEOUT)
        return self

    def _await(self, done, timeout: float | None = None) -> None:
        """Read and file messages (or wait while another thread does) until ``done()``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            while not done():
                if self.failure:
                    raise LauncherError(self.failure)
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise LauncherError("the fork server did not start")
                if self._reading:
                    self._cv.wait(remaining)
                    continue
                self._reading = True
                self._cv.release()
                try:
                    message = self._receive(remaining)
                finally:
                    self._cv.acquire()
                    self._reading = False
                    self._cv.notify_all()
                if message is not None:
                    self._file(message)

    def _receive(self, timeout: float | None) -> dict | None:
        """The next message (None when ``timeout`` passed first); on a closed or broken socket, the fork server
        is marked failed."""
        try:
            if timeout is not None and not select.select([self.sock], [], [], timeout)[0]:
                return None
            data = self.sock.recv(65536)
            if not data:
                raise LauncherError("the fork server closed its socket")
            return json.loads(data)
        except (LauncherError, OSError, ValueError) as exc:
            with self._cv:
                self.failure = self.failure or str(exc) or type(exc).__name__
            return None

    def _file(self, message: dict) -> None:
        if message.get("ready") is True:
            self.ready = True
        elif "exit" in message:
            pid = message["exit"]
            if pid in self.detached:
                self.detached.discard(pid)
            else:
                self.exits[pid] = ChildExit(message.get("returncode"), bool(message.get("oom")))
        elif "tag" in message:
            self._replies[message["tag"]] = message

    def fork(self, request: ChildRequest, request_file: Path, probes: tuple[str, str], channel_fd: int,
             output_fd: int, go_fd: int | None = None) -> int:
        """Ask for a child running ``request_file`` with the probe set ``probes`` (its key and file), waiting for the
        word on ``go_fd`` before the import when given; its pid."""
        from grader.sandbox.layers.ahead import NAMESPACE_LAYERS  # not at start-up: the zygote starts first

        tag = next(self._tags)
        message = json.dumps({"request": str(request_file), "probes": probes[0], "probes_file": probes[1],
                              "tag": tag, "limits": list(group_limits(request)),
                              "pid_namespace": "pid-namespace" not in request.sandbox.disable,
                              "namespaces": not set(NAMESPACE_LAYERS) & set(request.sandbox.disable)}).encode()
        socket.send_fds(self.sock, [message], [channel_fd, output_fd] + ([] if go_fd is None else [go_fd]))
        self._await(lambda: tag in self._replies)
        with self._cv:
            reply = self._replies.pop(tag)
        if "pid" not in reply:
            raise LauncherError(f"the fork server refused: {reply}")
        return int(reply["pid"])

    def kill(self, pid: int) -> None:
        self.sock.send(json.dumps({"kill": pid}).encode())

    def wait_exit(self, pid: int) -> ChildExit:
        self._await(lambda: pid in self.exits)
        with self._cv:
            return self.exits.pop(pid)

    def detach(self, pid: int) -> None:
        with self._cv:
            if self.exits.pop(pid, "absent") == "absent":
                self.detached.add(pid)

    def usable(self) -> bool:
        return not self.failure and self.proc.poll() is None

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        cgroups.remove_owned_by(self.proc.pid)
        remove_folder(Path(self.home))


def _zygote_environment(home: str) -> dict[str, str]:
    """A child's environment, with matplotlib's configuration (its font list: 0.3 s to build) kept in the grader's
    cache between runs; the zygote runs no student code, and each child points matplotlib at its own folder."""
    env = child_environment(home)
    folder = cache_root() / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return env
    env["MPLCONFIGDIR"] = str(folder)
    return env


class _ForkedChild:
    """The parent's handle on a child forked by a zygote."""

    def __init__(self, pid: int, zygote: _Zygote) -> None:
        self.pid, self._zygote = pid, zygote
        self._stopped = False

    def stop(self) -> None:
        """Ask the zygote to kill the child, its group and its cgroups' members."""
        if not self._stopped:
            self._stopped = True
            try:
                self._zygote.kill(self.pid)
            except OSError:
                pass

    def wait(self) -> ChildExit:
        """Block until the child's exit status is known."""
        try:
            return self._zygote.wait_exit(self.pid)
        except (LauncherError, OSError, ValueError):
            return ChildExit(None)

    def release(self) -> None:
        """The child finished cleanly: its status is not needed."""
        self._zygote.detach(self.pid)


class ForkServerLauncher:
    """Forks children from one warm zygote shared by ``size`` workers; a dead zygote is replaced on next use.

    The zygote starts warming up (torch imported) as soon as the launcher exists, while the caller
    reads the rubric, the reference cache and the submissions; ``preload`` names what else the
    course's files import, imported by the zygote before the first request. It keeps ``size`` + 1
    spare children, so that ``size`` requests at once each find one, and a worker's next request, a
    few milliseconds after its last, finds one that is ready (a spare needs ~10-20 ms to be: its fork,
    joining its cgroups, its early layers). It is started from the
    caller's thread on purpose: a zygote dies with the thread that started it (``PR_SET_PDEATHSIG``)."""

    name = "fork-server"
    layers = SpawnLauncher.layers

    def __init__(self, size: int = 1, preload: Sequence[str] = ()) -> None:
        self.size, self.preload = max(1, size), tuple(preload)
        self.early_starts = free_core(self.size)
        self._lock = threading.Lock()
        self._all: list[_Zygote] = []
        try:
            self._zygote: _Zygote | None = _adopt_early() or _Zygote()
        except OSError:
            self._zygote = None  # started again, and the error raised, on first use
        if self._zygote is not None:
            self._take(self._zygote)

    def _take(self, zygote: _Zygote) -> None:
        self._all.append(zygote)
        try:
            zygote.configure(self.size, self.preload)
        except OSError:
            pass  # a zygote that cannot be told is replaced on first use

    def _ready_zygote(self) -> _Zygote:
        """The warm zygote, replaced once when it died or never started."""
        with self._lock:
            zygote = self._zygote
            if zygote is None or not zygote.usable():
                zygote = self._zygote = _Zygote()
                self._take(zygote)
        try:
            return zygote.wait_ready()
        except LauncherError:
            pass
        with self._lock:
            if self._zygote is zygote:
                self._zygote = _Zygote()
                self._take(self._zygote)
            zygote = self._zygote
        return zygote.wait_ready()

    def add_preload(self, names: Sequence[str]) -> None:
        """Have the fork server import ``names`` too, before the requests that follow (and any fork server that
        replaces it); safe from any thread."""
        with self._lock:
            new = tuple(name for name in dict.fromkeys(names) if name not in self.preload)
            self.preload += new
            zygote = self._zygote
        if new and zygote is not None:
            try:
                zygote.sock.send(json.dumps({"preload": list(new)}).encode())
            except OSError:
                pass  # a fork server that cannot be told is replaced on first use, and told then

    def start(self, request: ChildRequest, request_file: Path, channel_fd: int, output_fd: int,
              go_fd: int | None = None) -> _ForkedChild:
        """Hand ``request`` to a child; its stdout and stderr go to the pipe ``output_fd`` (``go_fd``: the pipe it
        waits on before the import, see ``Launcher.start``)."""
        from grader.sandbox.parent import probe_sets

        zygote = self._ready_zygote()
        probes = probe_sets.write(request.probes, zygote.home, zygote.probe_sets)
        request_file.write_text(request.model_copy(update={"box": zygote.box, "probes": []})
                                .model_dump_json(exclude_defaults=True))
        try:
            pid = zygote.fork(request, request_file, probes, channel_fd, output_fd, go_fd)
        except (LauncherError, OSError, ValueError) as exc:
            zygote.failure = zygote.failure or str(exc)  # the next start replaces it
            raise
        return _ForkedChild(pid, zygote)

    def close(self) -> None:
        """Stop every zygote this launcher started or adopted and remove its children's cgroups."""
        with self._lock:
            for zygote in self._all:
                zygote.sock.close()  # every zygote starts shutting down at once
            for zygote in self._all:
                zygote.close()
            self._all.clear()
            self._zygote = None

    def __enter__(self) -> "ForkServerLauncher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_early: list[_Zygote] = []


def start_early(students: tuple[str, str] | None = None) -> None:
    """Start the fork server now, before the caller's own imports (torch: seconds) and its reading of the
    rubric and the folder; the next ``ForkServerLauncher`` adopts it. Not adopted (the command failed first), it
    is stopped and its folder removed when the process exits.
    ``students``: the folder of submissions about to be graded and the rubric, for the fork server's first guess
    of what to preload."""
    if not _early:
        try:
            _early.append(_Zygote(tuple(str(Path(p).resolve()) for p in students) if students else None))
        except OSError:
            return  # the launcher starts one itself, and reports the error
        atexit.register(_close_unadopted)


def _adopt_early() -> _Zygote | None:
    zygote = _early.pop() if _early else None
    if zygote is not None and not zygote.usable():
        zygote.close()
        return None
    return zygote


def _close_unadopted() -> None:
    """At exit: kill the early fork server nobody adopted (it may still be importing torch) and remove its folder."""
    while _early:
        zygote = _early.pop()
        zygote.proc.kill()
        zygote.close()


def make_launcher(mode: str = "auto", size: int = 1, preload: Sequence[str] = ()) -> Launcher:
    """``fork-server`` where fork is safe (Linux), else ``spawn``; ``mode`` can force either. ``preload``: modules
    the batch's files import, for the fork server to import once (``grader.course.preloads``)."""
    if mode == "spawn" or (mode == "auto" and not sys.platform.startswith("linux")):
        return SpawnLauncher(size)
    return ForkServerLauncher(size, preload)
