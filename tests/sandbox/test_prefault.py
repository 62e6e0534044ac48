"""Pages copied ahead by the fork server's spares: the scout reports exactly the pages its rehearsal wrote, a spare
that copies them writes fewer pages of its own while it runs the probes, and it stops copying when its request
arrives."""
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

    learned = prefault.learn(rehearse, [])
    inside = [(s, n) for s, n in learned if start <= s < start + 64 * PAGE]
    assert inside == [(start + 3 * PAGE, 3 * PAGE), (start + 40 * PAGE, PAGE)]
    assert area[3 * PAGE] == 1  # the scout's writes stayed in the scout
    again = prefault.learn(lambda: area.__setitem__(10 * PAGE, 2), learned)
    assert (start + 10 * PAGE, PAGE) in again and (start + 40 * PAGE, PAGE) in again  # merged with what was known


@pytest.mark.parametrize("rehearse", [lambda: 1 / 0, lambda: os._exit(3), lambda: time.sleep(30)],
                         ids=["raises", "exits", "hangs"])
def test_a_scout_that_fails_teaches_nothing(rehearse, monkeypatch):
    monkeypatch.setattr(prefault, "SCOUT_SECONDS", 0.5)
    known = [(1 << 30, PAGE)]
    started = time.monotonic()
    assert prefault.learn(rehearse, known) == known
    assert time.monotonic() - started < 10


def _faults_in_a_fork(area, ranges, request_waiting: bool) -> tuple[int, int]:
    """In a fork: copy ``ranges`` ahead (with a request already waiting or not), then write every page of
    ``area``; the bytes copied ahead and the page faults of the writes."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if request_waiting:
        ours.send(b"request")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        copied = prefault.copy_ahead(ranges, theirs)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        for page in range(64):
            area[page * PAGE] = 3
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        os.write(write, json.dumps([copied, faults]).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    copied, faults = json.loads(os.read(read, 1000))
    os.close(read)
    ours.close()
    theirs.close()
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
    monkeypatch.setattr(prefault, "MADV_POPULATE_WRITE", 4242)  # an advice this kernel does not know: EINVAL
    quiet, _ = socket.socketpair()
    assert prefault.copy_ahead([(start, PAGE), (start + 2 * PAGE, PAGE), (start + 4 * PAGE, PAGE)], quiet) == 0
    assert len(calls) == 1


# A fresh interpreter with the fork server's imports rehearses question 1's probes, learns from a scout which pages a
# child writes around them, and forks two children that import a correct question 1 and run its probes: one copies
# the learned pages ahead first. Each says how many pages it had to write while the probes ran (minor faults).
FORKED = """
import json, socket
from grader.sandbox.parent import prefault, zygote_imports
from grader.sandbox.parent.rehearsal import rehearse, run_as_a_fresh_child
from tests.sandbox.pages_written import pages_written, question1_probes
zygote_imports.preload_core()
probes = question1_probes()
rehearse(probes)
learned = prefault.learn(lambda: run_as_a_fresh_child(probes), [])
waiting_on, _ = socket.socketpair()  # no request ever comes
print(json.dumps([pages_written(), pages_written(lambda: prefault.copy_ahead(learned, waiting_on))]))
"""


def test_a_spare_that_copied_the_learned_pages_writes_fewer_of_its_own():
    (plain, plain_statuses, _), (ahead, ahead_statuses, copied) = in_a_fresh_interpreter(FORKED)
    assert plain_statuses == ahead_statuses == ["ok"] * len(plain_statuses)
    assert copied > 100 * PAGE
    assert ahead < 0.7 * plain, (plain, ahead)
