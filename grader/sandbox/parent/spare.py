"""A child of the fork server: forked into fresh cgroups and namespaces, set up ahead while it waits, then running
the one request it is handed.

Only the fork server talks to it before it runs a request: every descriptor but its own socket is closed as soon
as it is forked, so that no child can reach the fork server, a spare or another child's pipes. A spare forked by
root applies the layers every request gets alike (``layers.ahead``) and copies the pages a child writes around the
student's code (``prefault``) while it waits; run by an ordinary user, it first creates a user namespace owning a
new PID namespace and forks once more into it (its PID 1 waits for the request; the process above only mirrors how
that PID 1 ends). The request names its probe set, which the fork server parsed once (``probe_sets``).
"""
from __future__ import annotations

import json
import os
import signal
import socket
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.layers import cgroups, userns
from grader.sandbox.layers.confine import apply_ahead, die_with_parent
from grader.sandbox.layers.kernel import CLONE_NEWPID, set_namespace, unshare
from grader.sandbox.parent import prefault, probe_sets
from grader.sandbox.protocol import ChildRequest

MAX_FD = 65536
COPY_SHARE = 8  # a spare copies pages ahead (``prefault``) up to this fraction of its memory limit


@dataclass
class Waiting:
    """A forked child waiting on ``sock`` for the request it will run, in its cgroups ``groups`` with ``limits``."""

    pid: int
    sock: socket.socket
    groups: list[Path]
    limits: tuple[int | None, int | None]


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


def own_pid_namespace() -> int | None:
    """A descriptor of this process's PID namespace, to return to after forking a child into a new one (None
    where it cannot be opened)."""
    try:
        return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None


def fork_waiting(own_pid_ns: int | None, new_namespace: bool, limits: tuple[int | None, int | None],
                 copy_ahead: prefault.Learnt | None = None) -> Waiting:
    """Fork a child that waits for its request, in fresh cgroups with ``limits`` (max pids, memory
    MiB); where permitted it is PID 1 of a new PID namespace. A spare (``copy_ahead`` given) applies,
    while it waits, the layers every request gets alike (``ahead``, when forked by root), then copies
    and maps the pages ``copy_ahead`` (``prefault``)."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    groups = cgroups.create(*limits) if limits != (None, None) else []
    root = os.geteuid() == 0
    fresh_namespace = root and new_namespace and own_pid_ns is not None and _unshare_pid_namespace()
    pid = os.fork()
    if pid:
        if fresh_namespace:
            set_namespace(own_pid_ns, CLONE_NEWPID)
        theirs.close()
        return Waiting(pid, ours, groups, limits)
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
        if copy_ahead is not None and root:
            apply_ahead()
        if copy_ahead is not None:
            prefault.ahead(copy_ahead, theirs, None if limits[1] is None else (limits[1] << 20) // COPY_SHARE)
        _run_when_asked(theirs)
    finally:
        os._exit(70)


def _run_when_asked(sock: socket.socket) -> None:
    data, fds, _, _ = socket.recv_fds(sock, 65536, 3)
    if not data or len(fds) not in (2, 3):
        os._exit(0)
    sock.close()
    message = json.loads(data)
    os.setsid()
    channel_fd, output_fd, *go = fds
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    from grader.sandbox.child.entry import run_request  # preloaded by the zygote: free after the fork

    with open(message["request"]) as f:
        request = ChildRequest.model_validate_json(f.read())
    request = request.model_copy(update={"probes": probe_sets.probes(message["probes"], message["probes_file"])})
    run_request(request, channel_fd, go[0] if go else None)
