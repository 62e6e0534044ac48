"""The fork-server launcher: a pool of zygotes (Linux); ``make_launcher`` picks it or spawn.

Children are killed by their zygote, which knows them as unreaped children of its own, so a pid
can never have been reused; the parent only says which of the zygote's children to kill.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from grader.sandbox.layers import cgroups
from grader.sandbox.parent.launcher import ChildExit, Launcher, SpawnLauncher, child_environment, group_limits
from grader.sandbox.protocol import ChildRequest

READY_TIMEOUT = 180.0


class LauncherError(Exception):
    """A fork server could not be started or stopped answering."""


class _Zygote:
    """One fork server and the socket that talks to it; used by one thread at a time."""

    def __init__(self, deferred: bool = False) -> None:
        self.home = tempfile.mkdtemp(prefix="grade-zygote-")
        self.box = os.path.join(self.home, "box")  # every child's tmpfs mount point, kept until the zygote is gone
        os.mkdir(self.box)
        self.exits: dict[int, ChildExit] = {}
        self.detached: set[int] = set()
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = parent_sock
        command = [sys.executable, "-m", "grader.sandbox.parent.zygote", str(child_sock.fileno())]
        self.proc = subprocess.Popen(command + (["--deferred"] if deferred else []), pass_fds=(child_sock.fileno(),),
                                     stdin=subprocess.DEVNULL, env=child_environment(self.home), cwd=self.home,
                                     start_new_session=True)
        child_sock.close()
        self.deferred = deferred
        self.ready = False

    def wait_ready(self) -> "_Zygote":
        """Block until the fork server has warmed up (once; a deferred one is told to start first); raise
        LauncherError when it did not start."""
        if self.deferred:
            self.deferred = False
            self.sock.send(json.dumps({"go": True}).encode())
        if not self.ready:
            self.sock.settimeout(READY_TIMEOUT)
            if self._receive().get("ready") is not True:
                raise LauncherError("the fork server did not start")
            self.sock.settimeout(None)
            self.ready = True
        return self

    def _receive(self) -> dict:
        data = self.sock.recv(65536)
        if not data:
            raise LauncherError("the fork server closed its socket")
        return json.loads(data)

    def _next_reply(self) -> dict:
        """The next message that is not an exit report (exit reports are filed on the way)."""
        while True:
            message = self._receive()
            if "exit" not in message:
                return message
            self._file_exit(message)

    def _file_exit(self, message: dict) -> None:
        pid = message["exit"]
        if pid in self.detached:
            self.detached.discard(pid)
        else:
            self.exits[pid] = ChildExit(message.get("returncode"), bool(message.get("oom")))

    def fork(self, request: ChildRequest, request_file: Path, channel_fd: int, output_fd: int) -> int:
        message = json.dumps({"request": str(request_file), "limits": list(group_limits(request)),
                              "pid_namespace": "pid-namespace" not in request.sandbox.disable}).encode()
        socket.send_fds(self.sock, [message], [channel_fd, output_fd])
        reply = self._next_reply()
        if "pid" not in reply:
            raise LauncherError(f"the fork server refused: {reply}")
        return int(reply["pid"])

    def kill(self, pid: int) -> None:
        self.sock.send(json.dumps({"kill": pid}).encode())

    def wait_exit(self, pid: int) -> ChildExit:
        while pid not in self.exits:
            self._file_exit(self._receive())
        return self.exits.pop(pid)

    def detach(self, pid: int) -> None:
        if self.exits.pop(pid, "absent") == "absent":
            self.detached.add(pid)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        self.sock.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        cgroups.remove_owned_by(self.proc.pid)
        shutil.rmtree(self.home, ignore_errors=True)


class _ForkedChild:
    """The parent's handle on a child forked by a zygote."""

    def __init__(self, pid: int, zygote: _Zygote, release) -> None:
        self.pid, self._zygote, self._release = pid, zygote, release
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
        finally:
            self._release(self._zygote)

    def release(self) -> None:
        """The child finished cleanly: its status is not needed; free the zygote at once."""
        self._zygote.detach(self.pid)
        self._release(self._zygote)


class ForkServerLauncher:
    """Forks children from ``size`` warm zygotes; a dead zygote is replaced on next use.

    The first zygote starts warming up (torch imported) as soon as the launcher exists, while the
    caller reads the rubric, the reference cache and the submissions; the others start their imports
    only once it is ready (or has failed), so on a small machine the first result does not wait for
    every zygote's imports at once. The first use of each waits for its warm-up. All are started
    from the caller's thread on purpose: a zygote dies with the thread that started it
    (``PR_SET_PDEATHSIG``)."""

    name = "fork-server"
    layers = SpawnLauncher.layers

    def __init__(self, size: int = 1) -> None:
        self._idle: queue.Queue[_Zygote | None] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Zygote] = []
        self._first_warm = threading.Event()
        for index in range(max(1, size)):
            try:
                zygote: _Zygote | None = (index == 0 and _adopt_early()) or _Zygote(deferred=index > 0)
            except OSError:
                zygote = None  # started again, and the error raised, on first use
            if zygote is not None:
                self._all.append(zygote)
            self._idle.put(zygote)

    def _acquire(self) -> _Zygote:
        zygote = self._idle.get()
        try:
            if zygote is not None and zygote.alive():
                if zygote.deferred:
                    self._first_warm.wait(READY_TIMEOUT)
                return zygote.wait_ready()
        except (LauncherError, OSError, ValueError):
            pass
        finally:
            if zygote is None or not zygote.deferred:
                self._first_warm.set()  # ready or failed: the deferred zygotes may start
        if zygote is not None:
            zygote.close()
        zygote = _Zygote()
        with self._lock:
            self._all.append(zygote)
        try:
            return zygote.wait_ready()
        except BaseException:
            self._idle.put(None)
            raise

    def _release(self, zygote: _Zygote) -> None:
        self._idle.put(zygote)

    def start(self, request: ChildRequest, request_file: Path, channel_fd: int, output_fd: int) -> _ForkedChild:
        """Hand ``request`` to a child; its stdout and stderr go to the pipe ``output_fd``."""
        zygote = self._acquire()
        try:
            request_file.write_text(request.model_copy(update={"box": zygote.box}).model_dump_json())
            pid = zygote.fork(request, request_file, channel_fd, output_fd)
        except BaseException:
            zygote.close()
            self._idle.put(None)
            raise
        return _ForkedChild(pid, zygote, self._release)

    def close(self) -> None:
        """Stop every zygote (those still starting included) and remove its children's cgroups."""
        with self._lock:
            for zygote in self._all:
                zygote.sock.close()  # every zygote starts shutting down at once
            for zygote in self._all:
                zygote.close()
            self._all.clear()

    def __enter__(self) -> "ForkServerLauncher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_early: list[_Zygote] = []


def start_early() -> None:
    """Start the first fork server now, before the caller's own imports (torch: seconds) and its reading of the
    rubric and the folder; the next ``ForkServerLauncher`` adopts it. Not adopted, it ends with the process."""
    if not _early:
        try:
            _early.append(_Zygote())
        except OSError:
            pass  # the launcher starts one itself, and reports the error


def _adopt_early() -> _Zygote | None:
    zygote = _early.pop() if _early else None
    return zygote if zygote is not None and zygote.alive() else None


def make_launcher(mode: str = "auto", size: int = 1) -> Launcher:
    """``fork-server`` where fork is safe (Linux), else ``spawn``; ``mode`` can force either."""
    if mode == "spawn" or (mode == "auto" and not sys.platform.startswith("linux")):
        return SpawnLauncher()
    return ForkServerLauncher(size)
