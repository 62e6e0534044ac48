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
import functools
from collections.abc import Iterator

MADV_COLLAPSE = 25
HUGE = 2 << 20
CHUNK = 16 << 20  # collapsed at a time: the fork server answers a request between two chunks


def private_memory_chunks() -> Iterator[tuple[int, int]]:
    """The 2 MiB-aligned parts of this process's private, writable, anonymous mappings (the heap, Python's
    arenas, the libraries' own allocations), as ``(start, length)`` chunks of at most ``CHUNK`` bytes."""
    with open("/proc/self/maps") as maps:
        lines = maps.read().splitlines()
    for line in lines:
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if fields[1] != "rw-p" or name not in ("", "[heap]"):
            continue
        low, high = (int(x, 16) for x in fields[0].split("-"))
        start, end = -(-low // HUGE) * HUGE, high // HUGE * HUGE
        for chunk in range(start, end, CHUNK):
            yield chunk, min(CHUNK, end - chunk)


@functools.lru_cache(maxsize=1)
def libc_madvise():
    """The C library's ``madvise(address, length, advice)`` (raises OSError or AttributeError where there is none)."""
    madvise = ctypes.CDLL(None, use_errno=True).madvise
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return madvise


def collapse(start: int, length: int) -> bool:
    """Ask the kernel to back ``length`` bytes at ``start`` with huge pages now; whether it did."""
    try:
        return libc_madvise()(start, length, MADV_COLLAPSE) == 0
    except (OSError, AttributeError):  # no C library to ask, or no madvise in it
        return False
