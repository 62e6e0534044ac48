"""The fork server: one process that imports torch once and forks a fresh child per request.

Importing torch costs about 2 s and 600 MB; forking a process that already has it costs a few milliseconds. The
zygote imports the heavy modules and never touches CUDA, so each forked child starts clean; it runs torch's common
CPU operations once, and each question's probes once against a stand-in module (``rehearsal``), so that its children
do not each run them for the first time, then generates the probes' inputs for its children to take (``inputs``).
One zygote serves every worker of a batch. It keeps *spare* children forked in advance (as many as the grader says:
``launcher.spares_for``), each born as PID 1 of its own PID namespace and waiting for its request, so a request
costs a message, not a fork; spares are forked again while the served children run, whenever no message is waiting
(but not in the first moment after a hand-out while another spare waits, nor in a longer one while more wait than
there are workers: the child handed out starts on cores of its own); a request is answered before the ends of
earlier children are handled, and their cgroups, whose removal can take milliseconds, are removed only while no
message is waiting. A spare sets itself up while it waits (``spare``); after each rehearsal a scout learns which
pages a child writes around the student's code, for the spares to copy ahead (``prefault``); once its imports are
done the zygote's own memory is collapsed into huge pages (``huge_pages``): all take work off a file's path. Each
child becomes its own session leader and calls the same ``run_request`` a spawned child calls.

It says it is ready once torch and the child's own modules are imported (``zygote_imports``), and, when it was
started for a batch, the well-known packages that many of the students' files import (read while the grader still
imports its own modules); what else the course's and the graded files import the grader names in a ``preload``
message once it has read the rubric, and the zygote imports those before the requests that follow (the spares forked
before are replaced, so every child starts with them).

Protocol on a SOCK_SEQPACKET socket: the zygote sends ``{"ready": true}`` once; ``{"spares": n, "workers": w}`` sets
how many spares to keep for how many workers; ``{"preload": [module, ...]}`` imports those modules; for each
``{"request": path, "probes": key, "probes_file": path, "tag": t, "limits": [max_pids, memory_mb], "pid_namespace":
bool, "namespaces": bool}`` (the request without its probes, which are the set ``key`` (``probe_sets``); the child's
channel and output pipes attached as file descriptors, and for a child started early the pipe it waits on for the
word to go; ``null`` for a cgroup switched off; ``namespaces``: whether the network and IPC namespaces are wanted)
it replies ``{"pid": n, "tag": t}`` (or ``{"error": why, "tag": t}``) and, when that child has ended, ``{"exit": n,
"returncode": rc, "oom": bool}``; ``{"kill": n}`` kills child ``n`` and every member of its cgroups, if it is a
child handed out by this zygote that has not been reaped (so the pid cannot have been reused).

Only the zygote talks to its children before they run a request, and no child can reach the zygote, a spare or
another child's pipes, whatever layers are switched off (``spare``).
"""
from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from grader.sandbox.layers import cgroups
from grader.sandbox.layers.confine import die_with_parent
from grader.sandbox.parent import huge_pages, prefault, probe_sets
from grader.sandbox.parent.launcher import free_core
from grader.sandbox.parent.scheduling import as_batch_work
from grader.sandbox.parent.zygote_imports import import_all, preload_core, students_imports
from grader.sandbox.parent.spare import Waiting, fork_waiting, own_pid_namespace
from grader.sandbox.protocol import Probe, ResourceLimits

MAX_SPARES = 64
QUIET_AFTER_HAND_OUT = 0.01  # seconds: a spare is forked this long after a hand-out, when another is ready
QUIET_WHILE_STOCKED = 0.05  # seconds: the same while more spares wait than there are workers
RETRY_REMOVAL = 0.05  # seconds: an ended child's cgroup still busy is removed again after this
DEFAULTS = ResourceLimits()  # until the request sets the rubric's limits

class _Children:
    """The zygote's children: the spares waiting for a request and the children handed out, each with its
    cgroups. Only a handed-out child's end is reported, and only a handed-out child can be killed by request."""

    def __init__(self, sock: socket.socket, own_pid_ns: int | None) -> None:
        self.sock, self.own_pid_ns = sock, own_pid_ns
        self.groups: dict[int, list[Path]] = {}  # every unreaped child
        self.handed: set[int] = set()
        self.spares: list[Waiting] = []
        self.wanted = 1
        self.workers = 1  # more spares than this waiting: a replacement waits for a longer lull
        self.limits = (DEFAULTS.max_processes, DEFAULTS.memory_mb)  # a new spare's: the latest request's
        self.handed_out_at = 0.0  # no spare is forked soon after, while one is ready: the child handed out starts
        self.sweep_after = 0.0  # ended children's cgroups are not removed before (some were still busy)
        self.collapsing: Iterator[tuple[int, int]] | None = huge_pages.private_memory_chunks()  # what is left
        self.unrehearsed: list[list[Probe]] = []  # probe sets named for the first time, to rehearse while idle
        self.learnt = prefault.Learnt()  # the pages a child writes and maps around the student's code: for spares

    def collapse_later(self) -> None:
        """Collapse the zygote's memory into huge pages (again: new imports), a chunk at a time while idle."""
        self.collapsing = huge_pages.private_memory_chunks()

    def collapse_a_chunk(self) -> None:
        """Collapse the next chunk; done when none is left (or the memory map cannot be read)."""
        try:
            huge_pages.collapse(*next(self.collapsing))
        except (StopIteration, OSError):
            self.collapsing = None

    def rehearse_a_set(self) -> None:
        """Run the oldest probe set not yet rehearsed (``rehearsal``), learn which pages a child running it writes
        (``prefault``), then let the spares forked before it go."""
        from grader.sandbox.parent.rehearsal import rehearse, run_as_a_fresh_child  # torch: preloaded already
        probes = self.unrehearsed.pop(0)
        try:
            rehearse(probes)
        except Exception:  # noqa: BLE001 - a rehearsal only saves children time: they run all the same without
            pass
        gc.freeze()  # what the rehearsal left is never collected in a child (which would copy its pages)
        self.learnt = prefault.learn(lambda: run_as_a_fresh_child(probes), self.learnt)
        self.retire_spares()

    def remove_ended_groups(self) -> None:
        """Remove the ended children's cgroups; those still busy (their last tasks exiting) are tried again later."""
        cgroups.sweep()
        if cgroups.removal_pending():
            self.sweep_after = time.monotonic() + RETRY_REMOVAL

    def fork_spare(self) -> None:
        """One more spare, with the latest request's limits (a request's own are set when it is handed out, where
        they differ)."""
        spare = fork_waiting(self.own_pid_ns, True, self.limits, copy_ahead=self.pages_ahead())
        self.groups[spare.pid] = spare.groups
        self.spares.append(spare)

    def pages_ahead(self) -> prefault.Learnt:
        """What a spare copies and maps ahead. Mapping the file pages costs the spare more CPU than it saves its child
        (~1-1.4 ms against ~0.5 ms), so a spare maps them only where the workers leave a core free, where it does so
        in a lull."""
        return self.learnt if free_core(self.workers) else prefault.Learnt(self.learnt.written)

    def retire_spares(self) -> None:
        """Let every spare go (it exits when its socket closes): they were forked before the latest preload."""
        for spare in self.spares:
            spare.sock.close()
        self.spares.clear()

    def hand_out(self, data: bytes, fds: list[int], limits: tuple[int | None, int | None],
                 pid_namespace: bool, namespaces: bool = True) -> int:
        """Give a request to a spare (or, for other placements, to a child forked for it); its pid. A spare
        fits a request with every namespace and both cgroups (``namespaces``: the network and IPC ones)."""
        while pid_namespace and namespaces and None not in limits and self.spares:
            spare = self.spares.pop(0)
            if spare.limits != limits:  # writing a cgroup's limits costs ~0.2 ms a group
                self.limits = limits  # the next spares' too
                if not cgroups.set_limits(spare.groups, *limits):  # it uses more memory than the request allows
                    spare.sock.close()
                    continue
            if self._give(spare, data, fds):
                return spare.pid
        child = fork_waiting(self.own_pid_ns, pid_namespace, limits)
        self.groups[child.pid] = child.groups
        if not self._give(child, data, fds):
            raise OSError("the child forked for this request ended before it was handed it")
        return child.pid

    def _give(self, child: Waiting, data: bytes, fds: list[int]) -> bool:
        """Send ``child`` its request; False where it is gone (killed while it waited: its end is reaped)."""
        try:
            socket.send_fds(child.sock, [data], fds)
        except OSError:
            return False
        finally:
            child.sock.close()
        self.handed.add(child.pid)
        self.handed_out_at = time.monotonic()
        return True

    def quiet_left(self) -> float:
        """Seconds before a replacement may be forked while a spare waits: ``QUIET_AFTER_HAND_OUT`` after the latest
        hand-out, ``QUIET_WHILE_STOCKED`` while more wait than there are workers (a lull in a long run)."""
        quiet = QUIET_WHILE_STOCKED if len(self.spares) > self.workers else QUIET_AFTER_HAND_OUT
        return self.handed_out_at + quiet - time.monotonic()

    def reap(self) -> None:
        """Report every handed-out child that has ended, without blocking; its cgroups are removed while idle."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            owned = self.groups.pop(pid, [])
            for spare in [spare for spare in self.spares if spare.pid == pid]:  # it died waiting: replaced
                self.spares.remove(spare)
                spare.sock.close()
            cgroups.kill_all(owned)  # what the child left behind in its groups, without a PID namespace
            oom = cgroups.oom_killed(owned)
            cgroups.remove_later(owned)
            if pid in self.handed:
                self.handed.discard(pid)
                self.sock.send(json.dumps({"exit": pid, "returncode": os.waitstatus_to_exitcode(status),
                                           "oom": oom}).encode())

    def kill(self, pid: object) -> None:
        """Kill a live handed-out child of this zygote, its process group and its cgroups' members."""
        if isinstance(pid, int) and pid in self.handed and pid in self.groups:
            self._kill(pid)

    def _kill(self, pid: int) -> None:
        """SIGKILL an unreaped child of this zygote, its process group and its cgroups' members (one pass over
        the cgroups: the reap waits for the rest)."""
        for kill in (os.kill, os.killpg):
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        cgroups.kill_all(self.groups[pid], wait=0)

    def stop_all(self) -> None:
        """Kill the spares and any child still running, reap them, remove their cgroups."""
        self.retire_spares()
        for pid in list(self.groups):
            self._kill(pid)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            cgroups.remove(self.groups.pop(pid))
        cgroups.sweep(wait=1.0)


def serve(sock: socket.socket, students: tuple[str, str] | None = None) -> None:
    """Answer fork requests and report children's ends until the parent closes the socket.

    Children end (and their address spaces are torn down) while the next request is served:
    the parent needs an exit status only when a child did not finish cleanly. ``students``: the folder of
    submissions a batch will grade and its rubric, whose files' common imports are preloaded while the grader
    still imports its own.
    """
    die_with_parent()
    as_batch_work()  # its children's too, whoever started the grader
    preload_core()
    if students:
        import_all(students_imports(*students))
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children = _Children(sock, own_pid_namespace())
    try:
        children.fork_spare()
        sock.send(json.dumps({"ready": True}).encode())
        _serve_requests(sock, wake_r, children)
    except OSError:
        pass  # the grader went away
    finally:
        children.stop_all()


def _placement(message: dict) -> tuple[tuple[int | None, int | None], bool, bool]:
    """The cgroup limits (max pids, memory MiB; None: that layer off), whether the child gets a PID
    namespace and whether it may have network and IPC namespaces, as the grader sent them with the
    request (the request itself is the child's to read)."""
    limits = message.get("limits")
    if not (isinstance(limits, list) and len(limits) == 2
            and all(v is None or (type(v) is int and v > 0) for v in limits)):
        limits = [DEFAULTS.max_processes, DEFAULTS.memory_mb]
    return (limits[0], limits[1]), message.get("pid_namespace") is not False, message.get("namespaces") is not False


def idle_wait(short: bool, spares: int, collapsing: bool, quiet_left: float,
              removal_in: float | None = None) -> float | None:
    """How long to wait for a message before the zygote's own work: forking a spare and collapsing its memory
    (due now), removing ended children's cgroups (due in ``removal_in`` seconds; None: none to remove). Nothing
    to do: forever. A spare still waiting and ``quiet_left`` seconds of the quiet after a hand-out to go (see
    ``_Children.quiet_left``): not before that moment ends (the new child starts on cores of its own)."""
    dues = ([0.0] if short or collapsing else []) + ([removal_in] if removal_in is not None else [])
    if not dues:
        return None
    return max(quiet_left if spares and quiet_left > 0 else 0, min(dues))


def _serve_requests(sock: socket.socket, wake_r: int, children: _Children) -> None:
    while True:
        short = len(children.spares) < children.wanted
        removal_in = max(0.0, children.sweep_after - time.monotonic()) if cgroups.removal_pending() else None
        timeout = idle_wait(short, len(children.spares), children.collapsing is not None or bool(children.unrehearsed),
                            children.quiet_left(), removal_in)
        readable, _, _ = select.select([sock, wake_r], [], [], timeout)
        if not readable:  # nothing waiting: fork a spare, remove cgroups or collapse memory, not while a request waits
            if timeout:
                continue
            if children.unrehearsed:  # first: the spares forked before it are let go
                children.rehearse_a_set()
            elif short:
                children.fork_spare()  # its cgroups' creation removes the ended children's first
            elif removal_in == 0:
                children.remove_ended_groups()
            else:
                children.collapse_a_chunk()
            continue
        if sock in readable:  # a request first: the ended children's reports are not waited for
            data, fds, _, _ = socket.recv_fds(sock, 65536, 3)
            if not data:
                return
            _answer(json.loads(data), data, fds, children)
        if wake_r in readable:
            while True:
                try:
                    os.read(wake_r, 512)
                except BlockingIOError:
                    break
            children.reap()


def _answer(message: dict, data: bytes, fds: list[int], children: _Children) -> None:
    """One message from the grader: a kill, the number of spares, modules to preload, or a request."""
    if "kill" in message:
        children.kill(message["kill"])
    elif "spares" in message:
        wanted, workers = message["spares"], message.get("workers")
        children.wanted = min(MAX_SPARES, wanted) if type(wanted) is int and wanted > 0 else 1
        children.workers = workers if type(workers) is int and workers > 0 else max(1, children.wanted - 1)
    elif "preload" in message:
        names = [n for n in message["preload"] if isinstance(n, str)] if isinstance(message["preload"], list) else []
        if import_all(names):
            children.retire_spares()
            children.collapse_later()
    if "request" not in message:
        for fd in fds:
            os.close(fd)
        return
    tag = message.get("tag")
    if len(fds) not in (2, 3):
        for fd in fds:
            os.close(fd)
        children.sock.send(json.dumps({"error": "a request needs a channel and an output descriptor (and "
                                                "maybe the word to go)", "tag": tag}).encode())
        return
    limits, pid_namespace, namespaces = _placement(message)
    try:
        reply = {"pid": children.hand_out(data, fds, limits, pid_namespace, namespaces), "tag": tag}
    except OSError as exc:
        reply = {"error": f"no child could be handed the request ({exc})", "tag": tag}
    finally:
        for fd in fds:
            os.close(fd)
    children.sock.send(json.dumps(reply).encode())
    if isinstance(message.get("probes"), str) and isinstance(message.get("probes_file"), str):
        parsed = probe_sets.remember(message["probes"], message["probes_file"])  # once, for the next children
        if parsed:
            children.unrehearsed.append(parsed)


def main() -> None:
    """``python -m grader.sandbox.parent.zygote SOCKET_FD [STUDENTS_FOLDER RUBRIC]``."""
    serve(socket.socket(fileno=int(sys.argv[1])), tuple(sys.argv[2:4]) if len(sys.argv) > 3 else None)


if __name__ == "__main__":
    main()
