"""The pages a child writes (and reads) around the student's code, copied (and mapped) ahead by each spare while it
waits.

A forked child shares the fork server's memory until it writes to it: each page it first writes is then copied
(a page fault, ~3-4 us on a small VM). Even once the fork server has rehearsed a question's probes (``rehearsal``),
a child's first pass over them writes some 800-1,100 pages of it (reference counts, the allocators' lists,
caches), each copied while the student's file is being graded. Which pages those are hardly varies from child to
child: so after each rehearsal the fork server forks a *scout* that runs the same stand-in rehearsal once more,
reads from ``/proc/self/pagemap`` which of the fork server's pages it now holds a copy of, and reports them. Every
spare forked after asks the kernel to copy those pages now (``MADV_POPULATE_WRITE``, Linux 5.14 and later) while it
waits for its request, stopping as soon as a request arrives, so the copies are made off the path of a file.

A fork copies no page-table entry of a mapping that only reads a file (the libraries' code and read-only data): a
child maps each page of it the first time it runs or reads it (with the pages around it that the page cache
holds: some 150 more faults around question 1's probes of comp4901y, 5,000-8,000 pages mapped). So the scout also reports which pages of those mappings it
mapped, and a spare, once its copies are made, has the kernel map them too (``MADV_POPULATE_READ``): nothing is
copied (the pages are the page cache's, shared by every process), only the spare's page table is filled.

The scout runs only the grader's own rehearsal (no student or course code), and the spare only asks the kernel to
do early what its first writes and reads would do: what any child computes is unchanged. At most ``MAX_PAGES``
pages are copied ahead (16 MiB a spare), and no more than an eighth of the spare's memory limit (the copies count
against its memory cgroup: a request whose limit is below what a spare already uses is given another child); at
most ``MAX_MAPPED`` are mapped.
"""
from __future__ import annotations

import ctypes
import errno
import os
import select
import signal
import socket
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from grader.sandbox.layers.confine import die_with_parent
from grader.sandbox.parent.huge_pages import libc_madvise

PAGE = os.sysconf("SC_PAGE_SIZE")
MADV_POPULATE_READ, MADV_POPULATE_WRITE = 22, 23
MAX_PAGES = 4096
MAX_MAPPED = 16384  # pages of read-only file mappings mapped ahead (64 MiB of address space; no memory copied)
CHECK_EVERY = 8  # ranges copied between two looks for a request (a look costs about as much as a page)
SCOUT_SECONDS = 5.0  # a scout that has not reported by then is killed and nothing is learned
_PRESENT, _FILE, _EXCLUSIVE = np.uint64(1 << 63), np.uint64(1 << 61), np.uint64(1 << 56)

Ranges = list[tuple[int, int]]  # (start address, length in bytes), sorted, not overlapping


@dataclass(frozen=True)
class Learnt:
    """What a child touches around the student's code: the fork server's pages it writes (to copy ahead) and the
    pages of read-only file mappings it reads (to map ahead)."""

    written: Ranges = field(default_factory=list)
    mapped: Ranges = field(default_factory=list)


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


def read_only_file_mappings() -> Ranges:
    """This process's mappings of files that it cannot write (code and read-only data of the libraries)."""
    ranges = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if "w" not in fields[1] and len(fields) >= 6 and fields[5].startswith("/"):
                low, high = (int(x, 16) for x in fields[0].split("-"))
                ranges.append((low, high - low))
    return ranges


def own_pages(within: Ranges) -> np.ndarray:
    """The page numbers in ``within`` whose page this process holds alone (copied or written since its fork)."""
    return _pages_where(within, _PRESENT | _EXCLUSIVE)


def mapped_file_pages(within: Ranges) -> np.ndarray:
    """The page numbers in ``within`` that this process has mapped to a page of a file."""
    return _pages_where(within, _PRESENT | _FILE)


def _pages_where(within: Ranges, bits: np.uint64) -> np.ndarray:
    found = []
    with open("/proc/self/pagemap", "rb", buffering=0) as pagemap:
        for start, length in within:
            pagemap.seek(start // PAGE * 8)
            entries = np.frombuffer(pagemap.read(length // PAGE * 8), dtype=np.uint64)
            mine = np.flatnonzero(entries & bits == bits)
            found.append(mine.astype(np.uint64) + np.uint64(start // PAGE))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.uint64)


def as_ranges(pages: np.ndarray, cap: int = MAX_PAGES) -> Ranges:
    """Sorted page numbers (at most ``cap`` of them, the lowest) as coalesced address ranges."""
    pages = np.unique(pages)[:cap].astype(np.int64)
    if not len(pages):
        return []
    runs = np.split(pages, np.flatnonzero(np.diff(pages) != 1) + 1)
    return [(int(run[0]) * PAGE, len(run) * PAGE) for run in runs]


def learn(rehearse: Callable[[], None], known: Learnt) -> Learnt:
    """Fork a scout that runs ``rehearse`` and reports the pages it wrote and the file pages it mapped; those merged
    with ``known``. Nothing new where the scout fails, is slow or cannot read its page map."""
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
    if len(report) < 8 or len(report) % 8 or 8 * (struct.unpack_from("=Q", report)[0] + 1) > len(report):
        return known
    pages = np.frombuffer(bytes(report), dtype=np.uint64)
    written, mapped = pages[1:1 + int(pages[0])], pages[1 + int(pages[0]):]
    return Learnt(as_ranges(np.concatenate([_page_numbers(known.written), written])),
                  as_ranges(np.concatenate([_page_numbers(known.mapped), mapped]), MAX_MAPPED))


def _page_numbers(ranges: Ranges) -> np.ndarray:
    if not ranges:
        return np.zeros(0, dtype=np.uint64)
    return np.concatenate([np.arange(s // PAGE, (s + n) // PAGE, dtype=np.uint64) for s, n in ranges])


def _scout(rehearse: Callable[[], None], write_end: int) -> None:
    """In the scout: rehearse, then write how many pages it holds alone among what it inherited, their numbers and
    those of the file pages it mapped; exit."""
    try:
        signal.set_wakeup_fd(-1)  # the fork server's wake-up pipe is not the scout's to write
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        die_with_parent()
        os.closerange(3, write_end)
        os.closerange(write_end + 1, 65536)
        inherited, files = writable_private_mappings(), read_only_file_mappings()
        rehearse()
        written, mapped = own_pages(inherited), mapped_file_pages(files)
        report = memoryview(struct.pack("=Q", len(written)) + written.tobytes() + mapped.tobytes())
        while report:
            report = report[os.write(write_end, report):]
    finally:
        os._exit(0)


def ahead(learnt: Learnt, waiting_on: socket.socket, budget: int | None = None) -> None:
    """In a spare: the pages ``learnt`` copied (``budget`` bytes at most) and then mapped, until a request is
    waiting on ``waiting_on``."""
    copy_ahead(learnt.written, waiting_on, budget)
    copy_ahead(learnt.mapped, waiting_on, advice=MADV_POPULATE_READ)


def copy_ahead(ranges: Sequence[tuple[int, int]], waiting_on: socket.socket, budget: int | None = None,
               advice: int = MADV_POPULATE_WRITE) -> int:
    """In a spare: have the kernel copy ``ranges`` now (map them, with ``MADV_POPULATE_READ``), until a request is
    waiting on ``waiting_on`` or ``budget`` bytes are done; the bytes done. A range no longer mapped is skipped; a
    kernel without the advice is asked once."""
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
        if madvise(start, length, advice) == 0:
            done += length
        elif ctypes.get_errno() == errno.EINVAL:  # a kernel before 5.14: no range will do
            break
    return done
