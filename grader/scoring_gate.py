"""The scoring thread's work held back while a submission's files run, until its last file's long call.

Where the worker has a core to itself and one more (``Launcher.early_starts``), the checks scored while the files
run (as their probes reply, the file-only ones, a whole question once the next file has replied) share the cores
with the child that is the path to the result, and the interpreter with the thread that reads its replies and
hands over to the next file. Where the submission's last file makes a long call (``next_in_line.long_calls``: a
training run), a core is idle all through it; so that work is held until then and handed to the scoring thread in
the order it came (measured at one worker: 12.11, 11.05, 10.99, 12.03 ms of harness per file against 12.54, 11.32,
13.09, 12.56 ms scoring as the replies come).
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class ScoringGate:
    """Submits to ``pool``, or while ``held`` keeps each task (its Future answered once it has run) until
    ``open``. Used from one thread."""

    def __init__(self, pool: Executor, held: bool) -> None:
        self.pool, self.held = pool, held
        self.kept: list[tuple[Future, Callable[..., Any], tuple, dict]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """``pool.submit(fn, *args, **kwargs)`` now, or once the gate opens."""
        if not self.held:
            return self.pool.submit(fn, *args, **kwargs)
        answer: Future = Future()
        self.kept.append((answer, fn, args, kwargs))
        return answer

    def open(self) -> None:
        """Hand every kept task to the pool, in order; submit at once from now on."""
        self.held = False
        kept, self.kept = self.kept, []
        for answer, fn, args, kwargs in kept:
            self.pool.submit(fn, *args, **kwargs).add_done_callback(lambda done, answer=answer: _pass_on(done, answer))


def _pass_on(done: Future, answer: Future) -> None:
    if done.cancelled():
        answer.cancel()
        return
    error = done.exception()
    if error is not None:
        answer.set_exception(error)
    else:
        answer.set_result(done.result())
