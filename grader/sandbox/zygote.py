"""The fork server: one process that imports torch once and forks a fresh child per request.

Importing torch costs about 2 s and 600 MB; forking a process that already has it costs a few
milliseconds. The zygote imports the heavy modules but runs no torch op and never touches
CUDA, so each forked child starts clean. Each child becomes its own session leader and calls
the same ``run_request`` a spawned child calls.

Protocol on a SOCK_SEQPACKET socket: the zygote sends ``{"ready": true}`` once; for each
``{"request": path, "output": path}`` (with the child's control pipe attached as a file
descriptor) it replies ``{"pid": n}`` and, when that child has ended, ``{"exit": n, "returncode": rc}``.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys

from grader.sandbox.confine import CLONE_NEWPID, die_with_parent, set_namespace, unshare

PRELOAD = ("torch", "torchvision", "numpy", "pandas", "pydantic", "grader.sandbox.child", "grader.inputs",
           "grader.observe", "grader.sandbox.drivers", "grader.sandbox.tracing", "grader.sandbox.confine",
           "matplotlib", "matplotlib.pyplot")


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    from grader.sandbox.confine import warm_up

    warm_up()


def _fork_child(sock: socket.socket, message: dict, control_fd: int, own_pid_ns: int | None) -> int:
    """Fork one child; where permitted, it is born as PID 1 of a fresh PID namespace."""
    from grader.sandbox.protocol import ChildRequest

    with open(message["request"]) as f:
        request = ChildRequest.model_validate_json(f.read())
    wanted = "pid-namespace" not in request.sandbox.disable
    fresh_namespace = wanted and own_pid_ns is not None and _unshare_pid_namespace()
    pid = os.fork()
    if pid:
        if fresh_namespace:
            set_namespace(own_pid_ns, CLONE_NEWPID)
        os.close(control_fd)
        return pid
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent()
        os.setsid()
        sock.close()
        out = os.open(message["output"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        from grader.sandbox.child import run_request

        run_request(request, control_fd)
    finally:
        os._exit(70)


def _unshare_pid_namespace() -> bool:
    try:
        unshare(CLONE_NEWPID)
    except OSError:
        return False
    return True


def _own_pid_namespace() -> int | None:
    try:
        return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None


def _reap(sock: socket.socket) -> None:
    """Report every child that has ended, without blocking."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        sock.send(json.dumps({"exit": pid, "returncode": os.waitstatus_to_exitcode(status)}).encode())


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
    sock.send(json.dumps({"ready": True}).encode())
    while True:
        readable, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in readable:
            while True:
                try:
                    os.read(wake_r, 512)
                except BlockingIOError:
                    break
            _reap(sock)
        if sock not in readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 65536, 1)
        except OSError:
            return
        if not data:
            return
        message = json.loads(data)
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            sock.send(json.dumps({"error": "a request needs exactly one control descriptor"}).encode())
            continue
        pid = _fork_child(sock, message, fds[0], own_pid_ns)
        sock.send(json.dumps({"pid": pid}).encode())


def main() -> None:
    """``python -m grader.sandbox.zygote SOCKET_FD``."""
    serve(socket.socket(fileno=int(sys.argv[1])))


if __name__ == "__main__":
    main()
