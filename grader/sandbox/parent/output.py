"""What a child prints, captured through a pipe with a cap: the first and last 8 KiB.

Reading from a pipe (rather than letting the child write a file) means a flood of output
never fails the student's program and never fills a disk: everything between the head and
the tail is counted and dropped as it arrives.
"""
from __future__ import annotations

import os
import selectors
import time

HEAD = 8 * 1024
TAIL = 8 * 1024


class CappedOutput:
    """Keeps the first ``head`` and the last ``tail`` bytes of a stream, and counts the rest."""

    def __init__(self, head: int = HEAD, tail: int = TAIL) -> None:
        self.head_cap, self.tail_cap = head, tail
        self.head, self.tail = bytearray(), bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> None:
        """Add bytes as they arrive."""
        room = self.head_cap - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        self.tail += data
        excess = len(self.tail) - self.tail_cap
        if excess > 0:
            del self.tail[:excess]
            self.skipped += excess

    def text(self) -> str:
        """Head and tail, with a note of what was left out."""
        head, tail = self.head.decode(errors="replace"), self.tail.decode(errors="replace")
        if not self.skipped:
            return head + tail
        return f"{head}\n... [{self.skipped:,} bytes not kept] ...\n{tail}"


def drain(fd: int, sink: CappedOutput, seconds: float = 1.0) -> None:
    """Read what is left in the pipe until every writer has gone, for at most ``seconds``
    (0: only what is already there, without waiting for the writers to go)."""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = max(0.0, deadline - time.monotonic())
            if not selector.select(timeout=remaining):
                if remaining == 0:
                    return
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return
            sink.feed(chunk)
