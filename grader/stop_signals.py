"""Signals that stop a grading run from outside, and the rule they enforce: once one has arrived, no
result is stored.

Slurm ends an array task (``scancel``, the task's time limit, a node shutting down) by sending
SIGTERM to every process of the task, the sandbox children included; a child that dies of it was
not graded, and its "crash" must never become the student's mark. A closing login session sends
SIGHUP. The run notes the signal, stops starting submissions and stores nothing that finishes
afterwards: those submissions stay pending and the next run grades them.

The signal is seen at once through a wakeup pipe that the interpreter writes from its C-level
handler (a worker thread checks it before storing), not only when the main thread next runs
Python code.
"""
from __future__ import annotations

import os
import select
import signal
import threading
import time

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
# a child may be signalled a moment before the parent (Slurm signals the task's processes one by one)
SETTLE_SECONDS = 0.5


class StopSignals:
    """While active, SIGTERM and SIGHUP end the run instead of the process; ``stopped`` names the signal."""

    def __init__(self) -> None:
        self.stopped = ""
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)
        os.set_blocking(self._write, False)
        self._previous: dict[int, object] = {}
        self._previous_fd: int | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._note) for sig in STOP_SIGNALS}
            self._previous_fd = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous:
            signal.set_wakeup_fd(self._previous_fd if self._previous_fd is not None else -1)
            for sig, handler in self._previous.items():
                signal.signal(sig, handler)
        os.close(self._read)
        os.close(self._write)

    def _note(self, signum: int, frame: object) -> None:
        self.stopped = self.stopped or signal.Signals(signum).name

    def requested(self, wait: float = 0.0) -> bool:
        """Whether a stop signal has arrived (waiting up to ``wait`` seconds for one)."""
        deadline = time.monotonic() + wait
        while not self.stopped:
            with self._lock:
                try:
                    received = os.read(self._read, 64)
                except BlockingIOError:
                    received = b""
            for number in received:
                if number in STOP_SIGNALS:
                    self.stopped = self.stopped or signal.Signals(number).name
            left = deadline - time.monotonic()
            if self.stopped or left <= 0:
                break
            select.select([self._read], [], [], left)
        return bool(self.stopped)


def process_age() -> float:
    """Seconds since this process started (0 where /proc is missing): an array task's run time, which
    tells its time limit apart from a cancel."""
    try:
        with open("/proc/self/stat") as f:
            started_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
