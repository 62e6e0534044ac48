"""The fork server: one process that imports torch once and forks a fresh child per request.

Importing torch costs about 2 s and 600 MB; forking a process that already has it costs 15 ms
on these machines. The zygote imports the heavy modules but runs no torch op and never touches
CUDA, so each forked child starts clean. It keeps one *spare* child forked in advance, born as
PID 1 of its own PID namespace and waiting for its request, so a request costs a message, not
a fork; the next spare is forked while the served child runs. Run by an ordinary user, the spare
first creates a user namespace owning a new PID namespace and forks once more into it: its PID 1
waits for the request, and the process above it only mirrors how that PID 1 ends. Each child
becomes its own session leader and calls the same ``run_request`` a spawned child calls.

Protocol on a SOCK_SEQPACKET socket: a zygote started ``--deferred`` waits for ``{"go": true}``
before it imports anything; the zygote sends ``{"ready": true}`` once; for each
``{"request": path, "limits": [max_pids, memory_mb], "pid_namespace": bool}`` (the
child's channel and output pipes attached as file descriptors; ``null`` for a cgroup switched off)
it replies ``{"pid": n}`` and, when that child has ended, ``{"exit": n, "returncode": rc,
"oom": bool}``; ``{"kill": n}`` kills child ``n`` and every member of its cgroups, if it is a
child of this zygote that has not been reaped (so the pid cannot have been reused).

Only the zygote talks to its children before they run a request, and every descriptor but the
child's own socket is closed in a child as soon as it is forked: no child can reach the zygote,
a spare child or another child's pipes, whatever layers are switched off.
"""
from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.layers import cgroups, userns
from grader.sandbox.layers.confine import CLONE_NEWPID, die_with_parent, set_namespace, unshare
from grader.sandbox.protocol import ChildRequest, ResourceLimits

MAX_FD = 65536
DEFAULTS = ResourceLimits()  # until the request sets the rubric's limits

PRELOAD = ("torch", "torchvision", "numpy", "pandas", "pydantic", "grader.sandbox.child.entry", "grader.inputs",
           "grader.observe", "grader.course.drivers", "grader.sandbox.child.tracing", "grader.sandbox.layers.confine",
           "grader.sandbox.channel", "grader.course.environment", "grader.course.packages",
           "grader.sandbox.child.stability", "grader.sandbox.child.seeding", "grader.sandbox.child.ipython_shim",
           "matplotlib", "matplotlib.pyplot", "matplotlib.backends.backend_agg", "PIL.features")


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from grader.course.environment import install_process_wide  # after the preloads above, in the zygote only
    from grader.sandbox.layers.confine import warm_up

    install_process_wide()
    warm_up()
    gc.freeze()  # a collection in a child never writes to (and so copies) the pages of the preloads' objects


@dataclass
class _Waiting:
    """A forked child waiting on ``sock`` for the request it will run, in its pids ``group``."""

    pid: int
    sock: socket.socket
    groups: list[Path]


def _unshare_pid_namespace() -> bool:
    try:
        unshare(CLONE_NEWPID)
    except OSError:
        return False
    return True


def _user_and_pid_namespace() -> None:
    """An ordinary user's child: become PID 1 of a new PID namespace owned by a new user namespace
    (where the kernel refuses one, stay as it is: ``confine`` reports why)."""
    if userns.enter(CLONE_NEWPID):
        userns.become_init()


def _own_pid_namespace() -> int | None:
    try:
        return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None


def _fork_waiting(own_pid_ns: int | None, new_namespace: bool, limits: tuple[int | None, int | None]) -> _Waiting:
    """Fork a child that waits for its request, in fresh cgroups with ``limits`` (max pids, memory
    MiB); where permitted it is PID 1 of a new PID namespace."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    groups = cgroups.create(*limits) if limits != (None, None) else []
    root = os.geteuid() == 0
    fresh_namespace = root and new_namespace and own_pid_ns is not None and _unshare_pid_namespace()
    pid = os.fork()
    if pid:
        if fresh_namespace:
            set_namespace(own_pid_ns, CLONE_NEWPID)
        theirs.close()
        return _Waiting(pid, ours, groups)
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent()
        keep = theirs.fileno()
        os.closerange(3, keep)
        os.closerange(keep + 1, MAX_FD)
        cgroups.join(groups)
        if new_namespace and not root:
            _user_and_pid_namespace()
        _run_when_asked(theirs)
    finally:
        os._exit(70)


def _run_when_asked(sock: socket.socket) -> None:
    data, fds, _, _ = socket.recv_fds(sock, 65536, 2)
    if not data or len(fds) != 2:
        os._exit(0)
    sock.close()
    message = json.loads(data)
    os.setsid()
    channel_fd, output_fd = fds
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    from grader.sandbox.child.entry import run_request  # preloaded by the zygote: free after the fork

    with open(message["request"]) as f:
        request = ChildRequest.model_validate_json(f.read())
    run_request(request, channel_fd)


def _reap(sock: socket.socket, groups: dict[int, list[Path]]) -> None:
    """Report every child that has ended, without blocking, and remove its cgroups."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        owned = groups.pop(pid, [])
        cgroups.kill_all(owned)  # what the child left behind in its groups, without a PID namespace
        oom = cgroups.oom_killed(owned)
        cgroups.remove(owned)
        sock.send(json.dumps({"exit": pid, "returncode": os.waitstatus_to_exitcode(status), "oom": oom}).encode())


def _kill(pid: object, groups: dict[int, list[Path]]) -> None:
    """Kill a live child of this zygote, its process group and its cgroups' members."""
    if not isinstance(pid, int) or pid not in groups:
        return
    for kill in (os.kill, os.killpg):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    cgroups.kill_all(groups[pid], wait=0)  # one pass: the reap waits for the rest


def serve(sock: socket.socket) -> None:
    """Answer fork requests and report children's ends until the parent closes the socket.

    Children end (and their address spaces are torn down) while the next request is served:
    the parent needs an exit status only when a child did not finish cleanly.
    """
    die_with_parent()
    _preload()
    own_pid_ns = _own_pid_namespace()
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    groups: dict[int, list[Path]] = {}
    spare = _fork_waiting(own_pid_ns, True, (DEFAULTS.max_processes, DEFAULTS.memory_mb))
    sock.send(json.dumps({"ready": True}).encode())
    try:
        _serve_requests(sock, own_pid_ns, wake_r, spare, groups)
    except OSError:
        pass  # the grader went away
    finally:
        _stop_children(groups)


def _stop_children(groups: dict[int, list[Path]]) -> None:
    """Kill the spare and any child still running, reap them, remove their cgroups."""
    for pid in list(groups):
        _kill(pid, groups)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        cgroups.remove(groups.pop(pid))


def _placement(message: dict) -> tuple[tuple[int | None, int | None], bool]:
    """The cgroup limits (max pids, memory MiB; None: that layer off) and whether the child gets a PID
    namespace, as the grader sent them with the request (the request itself is the child's to read)."""
    limits = message.get("limits")
    if not (isinstance(limits, list) and len(limits) == 2
            and all(v is None or (type(v) is int and v > 0) for v in limits)):
        limits = [DEFAULTS.max_processes, DEFAULTS.memory_mb]
    return (limits[0], limits[1]), message.get("pid_namespace") is not False


def _serve_requests(sock, own_pid_ns, wake_r, spare, groups) -> None:
    groups[spare.pid] = spare.groups
    while True:
        readable, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in readable:
            while True:
                try:
                    os.read(wake_r, 512)
                except BlockingIOError:
                    break
            _reap(sock, groups)
        if sock not in readable:
            continue
        data, fds, _, _ = socket.recv_fds(sock, 65536, 2)
        if not data:
            return
        message = json.loads(data)
        if "kill" in message:
            _kill(message["kill"], groups)
            continue
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": "a request needs a channel and an output descriptor"}).encode())
            continue
        limits, pid_namespace = _placement(message)
        if pid_namespace and None not in limits:
            child, spare = spare, None
            for group in child.groups:
                cgroups.set_limits([group], *limits)
        else:
            child = _fork_waiting(own_pid_ns, pid_namespace, limits)
            groups[child.pid] = child.groups
        socket.send_fds(child.sock, [data], fds)
        for fd in fds:
            os.close(fd)
        child.sock.close()
        sock.send(json.dumps({"pid": child.pid}).encode())
        if spare is None:
            spare = _fork_waiting(own_pid_ns, True, (DEFAULTS.max_processes, DEFAULTS.memory_mb))
            groups[spare.pid] = spare.groups


def _wait_for_go(sock: socket.socket) -> bool:
    """A deferred zygote starts its imports only when told (``{"go": true}``); False: the grader went away."""
    die_with_parent()
    try:
        data = sock.recv(65536)
    except OSError:
        return False
    return bool(data) and json.loads(data).get("go") is True


def main() -> None:
    """``python -m grader.sandbox.parent.zygote SOCKET_FD [--deferred]``."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    if "--deferred" not in sys.argv[2:] or _wait_for_go(sock):
        serve(sock)


if __name__ == "__main__":
    main()
