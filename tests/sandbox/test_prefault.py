"""Pages copied and mapped ahead by the fork server's spares: the scout reports exactly the pages its rehearsal wrote
and the file pages it mapped, a spare that copies and maps them takes fewer page faults of its own while it runs
the probes, and it stops when its request arrives."""
from __future__ import annotations

import ctypes
import json
import mmap
import os
import resource
import socket
import time

import pytest

from grader.sandbox.parent import prefault
from tests.sandbox.pages_written import in_a_fresh_interpreter

PAGE = prefault.PAGE


@pytest.fixture
def region():
    """64 pages of private memory, each written once (so a fork shares them until it writes)."""
    area = mmap.mmap(-1, 64 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for page in range(64):
        area[page * PAGE] = 1
    yield area, ctypes.addressof(ctypes.c_char.from_buffer(area))
    area.close()


def test_pages_become_coalesced_ranges_capped_at_the_lowest():
    pages = [5, 3, 4, 9, 4, 12, 11]
    assert prefault.as_ranges(prefault.np.array(pages, dtype=prefault.np.uint64)) == \
        [(3 * PAGE, 3 * PAGE), (9 * PAGE, PAGE), (11 * PAGE, 2 * PAGE)]
    many = prefault.np.arange(0, 4 * prefault.MAX_PAGES, 2, dtype=prefault.np.uint64)  # twice too many
    capped = prefault.as_ranges(many)
    assert len(capped) == prefault.MAX_PAGES and capped[-1][0] == (2 * prefault.MAX_PAGES - 2) * PAGE
    assert prefault.as_ranges(prefault.np.zeros(0, dtype=prefault.np.uint64)) == []


def test_the_scout_reports_the_pages_it_wrote_and_no_other(region):
    area, start = region
    written = [3, 4, 5, 40]

    def rehearse():
        for page in written:
            area[page * PAGE] = 2

    learned = prefault.learn(rehearse, prefault.Learnt()).written
    inside = [(s, n) for s, n in learned if start <= s < start + 64 * PAGE]
    assert inside == [(start + 3 * PAGE, 3 * PAGE), (start + 40 * PAGE, PAGE)]
    assert area[3 * PAGE] == 1  # the scout's writes stayed in the scout
    again = prefault.learn(lambda: area.__setitem__(10 * PAGE, 2), prefault.Learnt(learned)).written
    assert (start + 10 * PAGE, PAGE) in again and (start + 40 * PAGE, PAGE) in again  # merged with what was known


@pytest.mark.parametrize("rehearse", [lambda: 1 / 0, lambda: os._exit(3), lambda: time.sleep(30)],
                         ids=["raises", "exits", "hangs"])
def test_a_scout_that_fails_teaches_nothing(rehearse, monkeypatch):
    monkeypatch.setattr(prefault, "SCOUT_SECONDS", 0.5)
    known = prefault.Learnt([(1 << 30, PAGE)], [(1 << 31, PAGE)])
    started = time.monotonic()
    assert prefault.learn(rehearse, known) == known
    assert time.monotonic() - started < 10


FILE_PAGES = 4096  # a read fault also maps the cached pages around it (the kernel's fault-around: 16 to 512 pages)


@pytest.fixture
def file_region(tmp_path):
    """A file of ``FILE_PAGES`` pages mapped read-only (as a library's code is): a fork maps none of them until it
    reads them."""
    path = tmp_path / "library.bin"
    path.write_bytes(bytes(range(256)) * (FILE_PAGES * PAGE // 256))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype, libc.mmap.argtypes = ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                                                              ctypes.c_int, ctypes.c_int, ctypes.c_long]
    with open(path, "rb") as f:
        start = libc.mmap(None, FILE_PAGES * PAGE, mmap.PROT_READ, mmap.MAP_PRIVATE, f.fileno(), 0)
    assert start not in (None, ctypes.c_void_p(-1).value)
    ctypes.string_at(start, FILE_PAGES * PAGE)  # in the page cache, and mapped in this process
    yield start
    libc.munmap(ctypes.c_void_p(start), ctypes.c_size_t(FILE_PAGES * PAGE))


def _read(start: int, pages) -> None:
    """Read a byte of each of ``pages`` of the region at ``start``."""
    for page in pages:
        ctypes.string_at(start + page * PAGE, 1)


def _mapped_in(region_start: int, ranges) -> set[int]:
    """The pages of the file region that ``ranges`` cover, by number."""
    return {(s - region_start) // PAGE + i for s, n in ranges for i in range(n // PAGE)
            if 0 <= s - region_start < FILE_PAGES * PAGE}


def test_the_scout_reports_the_file_pages_it_mapped_and_no_other(file_region):
    start = file_region
    assert not _mapped_in(start, prefault.learn(lambda: None, prefault.Learnt()).mapped)  # a fork maps none ahead
    learned = prefault.learn(lambda: _read(start, [2, 3000]), prefault.Learnt())
    mapped = _mapped_in(start, learned.mapped)
    assert {2, 3000} <= mapped and not mapped & set(range(1024, 2048))  # those read, and the pages around them
    assert not _mapped_in(start, learned.written)  # read, not written


def _in_a_spare(work, request_waiting: bool):
    """What ``work(sock)`` returns (as JSON) in a fork that waits on ``sock`` as a spare does, with a request already
    waiting on it or not."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if request_waiting:
        ours.send(b"request")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, json.dumps(work(theirs)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    report = b""
    while chunk := os.read(read, 1 << 16):
        report += chunk
    os.close(read)
    ours.close()
    theirs.close()
    return json.loads(report)


def _file_pages_mapped_by_a_fork(start: int, ranges, request_waiting: bool) -> tuple[int, set[int]]:
    """In a fork: map ``ranges`` ahead (with a request already waiting or not); the bytes mapped ahead, and which
    pages of the file region at ``start`` the fork then has mapped (its page map)."""
    def work(sock: socket.socket) -> list:
        done = prefault.copy_ahead(ranges, sock, advice=prefault.MADV_POPULATE_READ)
        pages = prefault.mapped_file_pages([(start, FILE_PAGES * PAGE)])
        return [done, [int(p) - start // PAGE for p in pages]]

    done, pages = _in_a_spare(work, request_waiting)
    return done, set(pages)


def test_a_spare_maps_the_file_pages_ahead_unless_its_request_is_waiting(file_region):
    ranges = [(file_region, 100 * PAGE), (file_region + 2000 * PAGE, 10 * PAGE)]
    done, mapped = _file_pages_mapped_by_a_fork(file_region, ranges, request_waiting=False)
    assert done == 110 * PAGE and set(range(100)) | set(range(2000, 2010)) <= mapped  # and the pages around
    assert not mapped & (set(range(700, 1400)) | set(range(3000, FILE_PAGES)))
    done, mapped = _file_pages_mapped_by_a_fork(file_region, ranges, request_waiting=True)
    assert done == 0 and not mapped


def _faults_in_a_fork(area, ranges, request_waiting: bool) -> tuple[int, int]:
    """In a fork: copy ``ranges`` ahead (with a request already waiting or not), then write every page of
    ``area``; the bytes copied ahead and the page faults of the writes."""
    def work(sock: socket.socket) -> list:
        copied = prefault.copy_ahead(ranges, sock)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for page in range(64):
            area[page * PAGE] = 3
        return [copied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before]

    copied, faults = _in_a_spare(work, request_waiting)
    return copied, faults


def test_a_spare_copies_the_pages_ahead_unless_its_request_is_waiting(region):
    area, start = region
    ranges = [(start, 64 * PAGE)]
    copied, faults = _faults_in_a_fork(area, ranges, request_waiting=False)
    assert copied == 64 * PAGE and faults < 32  # the loop itself writes a few pages of its own
    copied, faults = _faults_in_a_fork(area, ranges, request_waiting=True)
    assert copied == 0 and faults >= 64


def test_a_spare_copies_no_more_than_its_budget(region):
    area, start = region
    quiet, _ = socket.socketpair()
    ranges = [(start + page * PAGE, PAGE) for page in range(0, 64, 2)]  # 32 ranges of a page
    assert prefault.copy_ahead(ranges, quiet, budget=5 * PAGE + 100) == 5 * PAGE


def test_ranges_no_longer_mapped_are_skipped(region):
    area, start = region
    gone = mmap.mmap(-1, 4 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    gone_at = ctypes.addressof(ctypes.c_char.from_buffer(gone))
    gone.close()
    copied, _ = _faults_in_a_fork(area, [(gone_at, 4 * PAGE), (start, 64 * PAGE)], request_waiting=False)
    assert copied == 64 * PAGE


def test_a_kernel_without_the_advice_is_asked_once(region, monkeypatch):
    area, start = region
    calls = []
    madvise = prefault.libc_madvise()
    monkeypatch.setattr(prefault, "libc_madvise", lambda: lambda *args: calls.append(args) or madvise(*args))
    quiet, _ = socket.socketpair()
    ranges = [(start, PAGE), (start + 2 * PAGE, PAGE), (start + 4 * PAGE, PAGE)]
    assert prefault.copy_ahead(ranges, quiet, advice=4242) == 0  # an advice this kernel does not know: EINVAL
    assert len(calls) == 1


# A fresh interpreter with the fork server's imports rehearses question 1's probes, learns from a scout which pages a
# child writes and which file pages it maps around them, and forks three children that import a correct question 1
# and run its probes: one copies the learned pages ahead first, one also maps the learned file pages. Each says how
# many page faults it took while the probes ran.
FORKED = """
import json, socket
from grader.sandbox.parent import prefault, zygote_imports
from grader.sandbox.parent.rehearsal import rehearse, run_as_a_fresh_child
from tests.sandbox.pages_written import pages_written, question1_probes
zygote_imports.preload_core()
probes = question1_probes()
rehearse(probes)
learned = prefault.learn(lambda: run_as_a_fresh_child(probes), prefault.Learnt())
waiting_on, _ = socket.socketpair()  # no request ever comes
print(json.dumps([pages_written(), pages_written(lambda: prefault.copy_ahead(learned.written, waiting_on)),
                  pages_written(lambda: prefault.ahead(learned, waiting_on)), len(learned.mapped)]))
"""


def test_a_spare_that_copied_and_mapped_the_learned_pages_takes_fewer_faults_of_its_own():
    (plain, plain_statuses, _), (copied, copied_statuses, size), (both, both_statuses, _), mapped = \
        in_a_fresh_interpreter(FORKED)
    assert plain_statuses == copied_statuses == both_statuses == ["ok"] * len(plain_statuses)
    assert size > 100 * PAGE and mapped > 0
    assert copied < 0.7 * plain, (plain, copied)
    assert both < 0.8 * copied, (copied, both)


def test_spares_map_the_file_pages_ahead_only_where_a_core_is_free():
    """Mapping ahead costs a spare more CPU than it saves its child: only worth it in the lulls a free core gives."""
    import socket

    from grader.sandbox.parent import zygote

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    children = zygote._Children(ours, None)
    children.learnt = prefault.Learnt([(1 << 30, PAGE)], [(1 << 31, PAGE)])
    cores = len(os.sched_getaffinity(0))
    try:
        children.workers = cores  # every core has a worker
        assert children.pages_ahead() == prefault.Learnt([(1 << 30, PAGE)], [])
        if cores > 1:
            children.workers = cores - 1  # a core is free
            assert children.pages_ahead() == children.learnt
    finally:
        ours.close()
        theirs.close()
