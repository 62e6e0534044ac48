"""The submission graded next: its first files handed to children while this one's last file runs a long call.

Within a submission, each question file's child is handed its request while the file before runs (``grading``).
Across submissions, a child's start (a spare from the fork server, its layers, its set-up: some 5 ms of CPU) takes
time off the path only where a core is idle while it starts, and one is while the student's code runs a long call
of the last file: a training run, or any call that took the reference ``LONG_SECONDS`` or more. So at that moment
the first files of the next submission in the run's order are handed to their children, which wait for their turn.
(Started as the last file starts instead, the first took from that file as much time as it saved the next one:
measured.)
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from grader.observe import FileObservations
from grader.sandbox.protocol import Probe

LONG_SECONDS = 0.05  # a call that took the reference this long leaves a core idle for a child's start


class Cancellable(Protocol):
    """Children started early (``grading.EarlySubmission``)."""

    def cancel(self) -> None:
        """Not run after all."""


Started = TypeVar("Started", bound=Cancellable)


class NextInLine(Generic[Started]):
    """The submissions of a run in the order they are graded: which one comes next, and the children started early
    for their first files. Safe to share between the run's worker threads."""

    def __init__(self, folders: Sequence[Path], wanted: Callable[[Path], bool] = lambda folder: True) -> None:
        self._order = [Path(folder) for folder in folders]
        self._wanted = wanted  # whether a submission will be graded at all (a stored result may be current)
        self._cursor = 0  # every submission before this one has begun or been claimed
        self._begun: set[Path] = set()
        self._claimed: set[Path] = set()  # for an early start
        self._started: dict[Path, Started] = {}
        self._closed = False
        self._lock = threading.Lock()

    def begin(self, folder: Path) -> Started | None:
        """``folder``'s grading begins: the children started early for its first files, if there are any."""
        with self._lock:
            self._begun.add(Path(folder))
            return self._started.pop(Path(folder), None)

    def start_next(self, start: Callable[[Path], Started | None]) -> None:
        """Start the first files of the next submission not yet begun (``start`` gives their children, or None where
        there is nothing to start); a failure to start leaves those files to their turn."""
        with self._lock:
            while self._cursor < len(self._order) and (self._order[self._cursor] in self._begun
                                                       or self._order[self._cursor] in self._claimed):
                self._cursor += 1
            if self._closed or self._cursor == len(self._order):
                return
            folder = self._order[self._cursor]
            self._claimed.add(folder)
        try:
            early = start(folder) if self._wanted(folder) else None
        except Exception:  # noqa: BLE001 - at its turn the file is staged again, and says what fails
            return
        if early is None:
            return
        with self._lock:
            if not self._closed and folder not in self._begun:  # begun meanwhile: it started its own child
                self._started[folder] = early
                return
        early.cancel()

    def waiting(self) -> list[Path]:
        """The submissions whose first files' children wait for their turn."""
        with self._lock:
            return list(self._started)

    def close(self) -> None:
        """The run is over: the children started for a submission that was not graded after all leave."""
        with self._lock:
            self._closed = True
            unused, self._started = list(self._started.values()), {}
        for early in unused:
            early.cancel()


def long_calls(probes: list[Probe], reference: FileObservations | None) -> tuple[bool, set[str]]:
    """Where the file's child begins a long stretch, by the reference's times: whether at once (its import or its
    first probe is long), and the probes whose reply comes just before a long one."""
    if reference is None or not probes:
        return False, set()
    long = {probe_id for probe_id, observed in reference.probes.items() if observed.seconds >= LONG_SECONDS}
    at_once = reference.imported.seconds >= LONG_SECONDS or probes[0].id in long
    return at_once, {before.id for before, probe in zip(probes, probes[1:]) if probe.id in long}
