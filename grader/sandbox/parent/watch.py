"""Watching one child: its reply frames, its output, and every deadline on the parent's own clock.

The parent knows the order of the probes it asked for, so it needs no word from the child about
which probe is running: the first reply after the import report answers the first pending probe,
and so on. Each phase (import, probe k, the end) gets the time the rubric allows, and no phase
may run past the file's total budget, whatever the child sends.
"""
from __future__ import annotations

import os
import selectors
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from grader.observe import ImportInfo, Observation
from grader.sandbox.parent import replies
from grader.sandbox.channel import FrameReader, ProtocolViolation
from grader.sandbox.parent.launcher import ChildExit, ChildHandle
from grader.sandbox.parent.output import CappedOutput, drain
from grader.sandbox.protocol import Probe

END_GRACE = 2.0  # after the last reply, for the child to flush its output and say it is done
OnReply = Callable[[str, Observation, ImportInfo], None]  # a probe's observation as it comes, with the import report


@dataclass
class FileClock:
    """The total time one file may take, import and every probe, across every child it needs."""

    deadline: float
    seconds: float

    @classmethod
    def start(cls, import_timeout: float, probes: list[Probe]) -> "FileClock":
        """The file's budget, from now."""
        seconds = cls.budget(import_timeout, probes)
        return cls(time.monotonic() + seconds, seconds)

    @staticmethod
    def budget(import_timeout: float, probes: list[Probe]) -> float:
        """One import, one re-import after a failed probe, and every probe's own limit."""
        return 2 * import_timeout + sum(p.timeout for p in probes)


@dataclass
class ChildRun:
    """What the parent saw of one child."""

    layers: tuple[list[str], list[str]] | None = None
    imported: ImportInfo | None = None
    observations: dict[str, Observation] = field(default_factory=dict)
    current: str | None = None  # the probe being run when the child stopped
    ended: bool = False
    closed: bool = False
    timed_out: bool = False
    over_budget: bool = False
    violation: str = ""
    exit: ChildExit | None = None


class _Phases:
    """Where the child should be, by the parent's count, and until when."""

    def __init__(self, probes: list[Probe], import_timeout: float, clock: FileClock, keep_whole: bool,
                 on_reply: OnReply | None = None) -> None:
        self.probes, self.clock, self.keep_whole, self.on_reply = probes, clock, keep_whole, on_reply
        self.next_probe = 0
        self.started = time.monotonic()
        self.deadline = self._bounded(self.started + import_timeout)

    def _bounded(self, deadline: float) -> float:
        return min(deadline, self.clock.deadline)

    def accept(self, kind: bytes, payload: dict, blob: bytes, run: ChildRun) -> None:
        """Take one frame if it is the one expected now; else raise ProtocolViolation."""
        now = time.monotonic()
        if kind == b"L" and run.layers is None:
            run.layers = replies.layers(payload)
        elif kind == b"I" and run.layers is not None and run.imported is None:
            run.imported = replies.import_info(payload, now - self.started)
            self._advance(now, run)
        elif kind == b"P" and run.current is not None:
            probe = self.probes[self.next_probe]
            observation = replies.probe_observation(probe.id, payload, blob, now - self.started, self.keep_whole)
            run.observations[probe.id] = observation
            self.next_probe += 1
            self._advance(now, run)
            if self.on_reply is not None:
                self.on_reply(probe.id, observation, run.imported)
        elif kind == b"E" and run.imported is not None and run.current is None:
            run.ended = True
        else:
            raise ProtocolViolation("sent a reply out of order")

    def _advance(self, now: float, run: ChildRun) -> None:
        self.started = now
        more = run.imported.status == "ok" and self.next_probe < len(self.probes)
        run.current = self.probes[self.next_probe].id if more else None
        limit = self.probes[self.next_probe].timeout if more else END_GRACE
        self.deadline = self._bounded(now + limit)


def watch(handle: ChildHandle, channel: int, output_fd: int, output: CappedOutput, probes: list[Probe],
          import_timeout: float, clock: FileClock, reply_bytes: int, keep_whole: bool,
          on_reply: OnReply | None = None) -> ChildRun:
    """Read the child's frames and output until it ends, breaks a rule or runs out of time; stop it. Each
    probe's observation is also handed to ``on_reply`` as it comes, with the import report it follows."""
    run = ChildRun()
    phases = _Phases(probes, import_timeout, clock, keep_whole, on_reply)
    reader = FrameReader(reply_bytes, max_frames=3 + len(probes))
    with selectors.DefaultSelector() as selector:
        selector.register(channel, selectors.EVENT_READ)
        selector.register(output_fd, selectors.EVENT_READ)
        while not (run.ended or run.closed or run.violation):
            remaining = phases.deadline - time.monotonic()
            if remaining <= 0:
                run.timed_out = True
                run.over_budget = phases.deadline >= clock.deadline
                break
            for key, _ in selector.select(timeout=remaining):
                if key.fd == output_fd:
                    printed = os.read(output_fd, 1 << 20)
                    output.feed(printed) if printed else selector.unregister(output_fd)
                    continue
                data = os.read(channel, 1 << 20)
                run.closed = not data
                try:
                    for frame in reader.feed(data):
                        phases.accept(frame.kind, frame.payload, frame.blob, run)
                except (ProtocolViolation, ValueError) as exc:
                    run.violation = str(exc)[:300] or type(exc).__name__
    handle.stop()
    clean = run.ended and not run.timed_out
    drain(output_fd, output, 0.0 if clean else 1.0)  # a clean child flushed its output before saying so
    if clean:
        handle.release()
    else:
        run.exit = handle.wait()
    return run
