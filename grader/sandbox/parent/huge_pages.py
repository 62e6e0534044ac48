"""The fork server's own memory in transparent huge pages, so that a fork and a child's end cost per 2 MiB.

A fork copies one page-table entry for every 4 KiB page of private memory the fork server has written
(about 300 MB once torch and the course's packages are imported: some 75,000 entries), and each child
takes them all down again when it ends; on two cores that was a third of the harness's time per file.
Collapsed into 2 MiB pages (``MADV_COLLAPSE``, Linux 6.1 and later) the same memory is some 150 entries.
A child that writes to a huge page still copies only the 4 KiB page it writes: the kernel splits the
mapping in the writer. Only what is there now is collapsed (the regions are not marked for huge pages on
later faults, which could stall a child on memory compaction). Where the kernel has no huge pages, or
refuses, nothing changes.
"""
from __future__ import annotations

import ctypes

from grader.sandbox.layers.confine import _libc

MADV_COLLAPSE = 25
HUGE = 2 << 20


def _private_writable_regions() -> list[tuple[int, int]]:
    """The 2 MiB-aligned parts of this process's private, writable, anonymous mappings (the heap, Python's
    arenas, the libraries' own allocations)."""
    regions = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            name = fields[5] if len(fields) > 5 else ""
            if fields[1] != "rw-p" or name not in ("", "[heap]"):
                continue
            low, high = (int(x, 16) for x in fields[0].split("-"))
            start, end = -(-low // HUGE) * HUGE, high // HUGE * HUGE
            if end > start:
                regions.append((start, end - start))
    return regions


def collapse_private_memory() -> int:
    """Ask the kernel to back this process's anonymous memory with huge pages now; the bytes it collapsed
    (0 where it cannot)."""
    try:
        madvise = _libc().madvise
        regions = _private_writable_regions()
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    collapsed = 0
    for start, length in regions:
        if madvise(start, length, MADV_COLLAPSE) == 0:
            collapsed += length
    return collapsed
