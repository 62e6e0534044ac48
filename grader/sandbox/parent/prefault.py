"""The pages a child writes around the student's code, copied ahead by each spare while it waits.

A forked child shares the fork server's memory until it writes to it: each page it first writes is then copied
(a page fault, ~3-4 us on a small VM). Even once the fork server has rehearsed a question's probes (``rehearsal``),
a child's first pass over them writes some 800-1,100 pages of it (reference counts, the allocators' lists,
caches), each copied while the student's file is being graded. Which pages those are hardly varies from child to
child: so after each rehearsal the fork server forks a *scout* that runs the same stand-in rehearsal once more,
reads from ``/proc/self/pagemap`` which of the fork server's pages it now holds a copy of, and reports them. Every
spare forked after asks the kernel to copy those pages now (``MADV_POPULATE_WRITE``, Linux 5.14 and later) while it
waits for its request, stopping as soon as a request arrives, so the copies are made off the path of a file.

The scout runs only the grader's own rehearsal (no student or course code), and the spare only asks the kernel to
do early what its first writes would do: what any child computes is unchanged. At most ``MAX_PAGES`` pages are
copied ahead (16 MiB a spare), and no more than an eighth of the spare's memory limit (the copies count against
its memory cgroup: a request whose limit is below what a spare already uses is given another child).
"""
from __future__ import annotations

import ctypes
import errno
import os
import select
import signal
import socket
from collections.abc import Callable, Sequence

import numpy as np

from grader.sandbox.layers.confine import die_with_parent
from grader.sandbox.parent.huge_pages import libc_madvise

PAGE = os.sysconf("SC_PAGE_SIZE")
MADV_POPULATE_WRITE = 23
MAX_PAGES = 4096
CHECK_EVERY = 8  # ranges copied between two looks for a request (a look costs about as much as a page)
SCOUT_SECONDS = 5.0  # a scout that has not reported by then is killed and nothing is learned
_PRESENT, _EXCLUSIVE = np.uint64(1 << 63), np.uint64(1 << 56)

Ranges = list[tuple[int, int]]  # (start address, length in bytes), sorted, not overlapping


def writable_private_mappings() -> Ranges:
    """This process's private, writable mappings (anonymous memory, the heap, libraries' data)."""
    ranges = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if fields[1] == "rw-p" and (len(fields) < 6 or not fields[5].startswith("[stack")):
                low, high = (int(x, 16) for x in fields[0].split("-"))
                ranges.append((low, high - low))
    return ranges


def own_pages(within: Ranges) -> np.ndarray:
    """The page numbers in ``within`` whose page this process holds alone (copied or written since its fork)."""
    found = []
    with open("/proc/self/pagemap", "rb", buffering=0) as pagemap:
        for start, length in within:
            pagemap.seek(start // PAGE * 8)
            entries = np.frombuffer(pagemap.read(length // PAGE * 8), dtype=np.uint64)
            mine = np.flatnonzero((entries & _PRESENT != 0) & (entries & _EXCLUSIVE != 0))
            found.append(mine.astype(np.uint64) + np.uint64(start // PAGE))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.uint64)


def as_ranges(pages: np.ndarray) -> Ranges:
    """Sorted page numbers (at most ``MAX_PAGES`` of them, the lowest) as coalesced address ranges."""
    pages = np.unique(pages)[:MAX_PAGES].astype(np.int64)
    if not len(pages):
        return []
    runs = np.split(pages, np.flatnonzero(np.diff(pages) != 1) + 1)
    return [(int(run[0]) * PAGE, len(run) * PAGE) for run in runs]


def learn(rehearse: Callable[[], None], known: Ranges) -> Ranges:
    """Fork a scout that runs ``rehearse`` and reports the pages it wrote; those merged with ``known``. Nothing new
    where the scout fails, is slow or cannot read its page map."""
    try:
        read_end, write_end = os.pipe2(os.O_CLOEXEC)
    except OSError:
        return known
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return known
    if pid == 0:
        _scout(rehearse, write_end)
    os.close(write_end)
    report = bytearray()
    try:
        while select.select([read_end], [], [], SCOUT_SECONDS)[0]:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            report += chunk
        else:
            report.clear()
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    if len(report) % 8:
        return known
    pages = np.frombuffer(bytes(report), dtype=np.uint64)
    return as_ranges(np.concatenate([_page_numbers(known), pages]))


def _page_numbers(ranges: Ranges) -> np.ndarray:
    if not ranges:
        return np.zeros(0, dtype=np.uint64)
    return np.concatenate([np.arange(s // PAGE, (s + n) // PAGE, dtype=np.uint64) for s, n in ranges])


def _scout(rehearse: Callable[[], None], write_end: int) -> None:
    """In the scout: rehearse, then write the page numbers it holds alone among what it inherited; exit."""
    try:
        signal.set_wakeup_fd(-1)  # the fork server's wake-up pipe is not the scout's to write
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent()
        os.closerange(3, write_end)
        os.closerange(write_end + 1, 65536)
        inherited = writable_private_mappings()
        rehearse()
        os.write(write_end, own_pages(inherited).tobytes())
    finally:
        os._exit(0)


def copy_ahead(ranges: Sequence[tuple[int, int]], waiting_on: socket.socket, budget: int | None = None) -> int:
    """In a spare: have the kernel copy ``ranges`` now, until a request is waiting on ``waiting_on`` or ``budget``
    bytes are copied; the bytes copied. A range no longer mapped is skipped; a kernel without
    ``MADV_POPULATE_WRITE`` is asked once."""
    done = 0
    try:
        madvise = libc_madvise()
    except (OSError, AttributeError):
        return 0
    for number, (start, length) in enumerate(ranges):
        if number % CHECK_EVERY == 0 and select.select([waiting_on], [], [], 0)[0]:
            break
        if budget is not None and done + length > budget:
            break
        if madvise(start, length, MADV_POPULATE_WRITE) == 0:
            done += length
        elif ctypes.get_errno() == errno.EINVAL:  # a kernel before 5.14: no range will do
            break
    return done
