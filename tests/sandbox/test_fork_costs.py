"""What keeps a fork cheap: the fork server's memory in huge pages, and spares forked before their request."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")
needs_huge_pages = pytest.mark.skipif(not THP.exists() or "[never]" in THP.read_text(),
                                      reason="this kernel has no transparent huge pages")


def _huge_kib(pid: int | str = "self") -> int:
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return int(rollup.split("AnonHugePages:")[1].split()[0])


@needs_huge_pages
def test_collapsing_puts_the_imported_modules_in_huge_pages():
    script = ("import torch\nfrom grader.sandbox.parent.huge_pages import collapse, private_memory_chunks\n"
              "from tests.sandbox.test_fork_costs import _huge_kib\nbefore = _huge_kib()\n"
              "collapsed = sum(length for start, length in private_memory_chunks() if collapse(start, length))\n"
              "print(before, collapsed, _huge_kib())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    before, collapsed, after = map(int, done.stdout.split())
    if collapsed == 0:
        pytest.skip("the kernel collapsed nothing (no MADV_COLLAPSE before Linux 6.1)")
    assert collapsed >= 64 << 20  # torch alone leaves a few hundred MB of its own allocations
    assert after - before >= (collapsed >> 10) // 2  # most of it still huge when read back


@needs_huge_pages
def test_the_fork_server_collapses_its_memory_once_ready(tmp_path):
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.parent.runner import run_file
    from grader.sandbox.protocol import Probe, Step

    (tmp_path / "q.py").write_text("def f():\n    return 1\n")
    with ForkServerLauncher(1) as launcher:
        run_file("q.py", tmp_path, [Probe(id="p", steps=[Step(call="f", observe="v")])], launcher=launcher)
        pid = launcher._zygote.proc.pid
        deadline = time.monotonic() + 20
        while _huge_kib(pid) < 32 << 10 and time.monotonic() < deadline:  # collapsed region by region
            time.sleep(0.1)
        assert _huge_kib(pid) >= 32 << 10


def test_a_forked_child_draws_what_a_spawned_one_draws(tmp_path):
    """Whatever a spare did while it waited, the student's generators start from the probe's seed."""
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.parent.runner import run_file
    from grader.sandbox.protocol import InputSpec, Probe, Step

    (tmp_path / "q.py").write_text("import torch\n"
                                   "def draw(x):\n    return [torch.initial_seed(), float(torch.rand(()))]\n")
    probes = [Probe(id="draw", seed=7, inputs={"x": InputSpec(shape=[2])}, steps=[
                  Step(call="draw", args=[{"input": "x"}], observe="v")])]
    with ForkServerLauncher(1) as launcher:
        forked = run_file("q.py", tmp_path, probes, launcher=launcher)
    spawned = run_file("q.py", tmp_path, probes)
    seed, drawn = (item.number for item in forked.probes["draw"].values["v"].items)
    assert seed == 7
    assert drawn == spawned.probes["draw"].values["v"].items[1].number


def test_modules_added_to_the_preload_later_are_in_the_children_that_follow(tmp_path):
    """The students' imports are read in a thread while the batch starts, then added: the next child has them."""
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.parent.runner import run_file
    from grader.sandbox.protocol import Probe, Step

    (tmp_path / "q.py").write_text("import sys\nLOADED = sorted(m for m in ('colorsys', 'wave') if m in sys.modules)\n")
    probes = [Probe(id="r", steps=[Step(read="LOADED", observe="v")])]
    loaded = []
    with ForkServerLauncher(1) as launcher:
        for added in ([], ["colorsys"], ["colorsys", "wave"]):
            launcher.add_preload(added)
            values = run_file("q.py", tmp_path, probes, launcher=launcher).probes["r"].values["v"]
            loaded.append([item.text for item in values.items])
        assert launcher.preload == ("colorsys", "wave")
    assert loaded == [[], ["colorsys"], ["colorsys", "wave"]]


def _settled_children(pid: int) -> list[str]:
    """The children of ``pid`` once the set has stayed the same, every one asleep (waiting), for half a second."""
    deadline, last, since = time.monotonic() + 20, None, time.monotonic()
    while time.monotonic() < deadline:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        states = []
        for kid in kids:
            try:
                states.append(Path(f"/proc/{kid}/stat").read_text().rsplit(")", 1)[1].split()[0])
            except OSError:
                states.append("gone")
        if kids != last or set(states) != {"S"}:
            last, since = kids, time.monotonic()
        elif time.monotonic() - since > 0.5:
            return kids
        time.sleep(0.02)
    raise AssertionError(f"the fork server's children did not settle: {last}")


def test_a_worker_keeps_a_spare_more_than_it_can_use_at_once(tmp_path):
    """A spare needs its fork, its cgroups and its early layers before it is ready (~10-20 ms, longer on a busy
    machine): a worker's next file comes sooner than that, so one worker has at least two spares, and one of them
    has waited since before the file before (three more than the workers where a core is free)."""
    from grader.sandbox.parent.launcher import spares_for
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.parent.runner import run_file
    from grader.sandbox.protocol import Probe, Step

    (tmp_path / "q.py").write_text("def f():\n    return 1\n")
    with ForkServerLauncher(1) as launcher:
        pid = launcher._ready_zygote().proc.pid
        for _ in range(2):
            run_file("q.py", tmp_path, [Probe(id="p", steps=[Step(call="f", observe="v")])], launcher=launcher)
            assert len(_settled_children(pid)) == spares_for(1) >= 2  # the served child reaped, the spares waiting


@pytest.mark.parametrize("cores, workers, spares", [(2, 1, 4), (2, 2, 3), (1, 1, 2), (16, 4, 7)])
def test_where_a_core_is_free_the_fork_server_keeps_three_spares_more_than_the_workers(monkeypatch, cores, workers,
                                                                                         spares):
    from grader.sandbox.parent import launcher

    monkeypatch.setattr(launcher.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert launcher.spares_for(workers) == spares


def test_replacements_wait_for_a_longer_lull_while_more_spares_wait_than_there_are_workers():
    """At one worker on two cores, a submission's files are handed out one after the other: forking their
    replacements at once puts two forks beside the short file just handed out; with spares in stock they wait."""
    import socket
    import time

    from grader.sandbox.parent.zygote import QUIET_AFTER_HAND_OUT, QUIET_WHILE_STOCKED, _answer, _Children

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    with ours, theirs:
        children = _Children(ours, None)
        _answer({"spares": 4, "workers": 1}, b"", [], children)
        assert (children.wanted, children.workers) == (4, 1)
        children.handed_out_at = time.monotonic()
        children.spares = [object(), object()]  # two waiting, one worker: a long lull is awaited
        assert QUIET_AFTER_HAND_OUT < children.quiet_left() <= QUIET_WHILE_STOCKED
        children.spares = [object()]  # down to one per worker: the short quiet, as with one spare more
        assert 0 < children.quiet_left() <= QUIET_AFTER_HAND_OUT
        _answer({"spares": 3, "workers": "two"}, b"", [], children)  # a malformed count: one fewer than the spares
        assert children.workers == 2


def test_the_fork_server_leaves_a_child_just_handed_out_the_cores_while_a_spare_waits():
    from grader.sandbox.parent.zygote import idle_wait

    assert idle_wait(short=True, spares=1, collapsing=False, quiet_left=0.004) == 0.004  # a spare is ready: later
    assert idle_wait(short=True, spares=0, collapsing=False, quiet_left=0.004) == 0  # none ready: fork one now
    assert idle_wait(short=True, spares=1, collapsing=False, quiet_left=-0.1) == 0  # the moment has passed
    assert idle_wait(short=False, spares=2, collapsing=True, quiet_left=0.004) == 0.004  # collapsing waits too
    assert idle_wait(short=False, spares=2, collapsing=False, quiet_left=0.004) is None  # nothing to do
    # an ended child's cgroups: removed when due, and not in the quiet moment either
    assert idle_wait(short=False, spares=2, collapsing=False, quiet_left=-0.1, removal_in=0.0) == 0
    assert idle_wait(short=False, spares=2, collapsing=False, quiet_left=-0.1, removal_in=0.03) == 0.03
    assert idle_wait(short=False, spares=2, collapsing=False, quiet_left=0.004, removal_in=0.0) == 0.004
    assert idle_wait(short=True, spares=0, collapsing=False, quiet_left=0.004, removal_in=0.03) == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="the children's cgroups are root's")
def test_an_ended_childs_cgroups_are_removed_once_the_fork_server_is_idle(tmp_path):
    """Removing a memory cgroup can take milliseconds, so the fork server does it while no request waits, but
    it does it: once the children have settled, the only groups left are the spares'."""
    from grader.sandbox.layers import cgroups
    from grader.sandbox.parent.launcher import spares_for
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.parent.runner import run_file
    from grader.sandbox.protocol import Probe, Step

    if not cgroups.parents():
        pytest.skip("this machine has no pids or memory cgroup")
    (tmp_path / "q.py").write_text("def f():\n    return 1\n")
    with ForkServerLauncher(1) as launcher:
        pid = launcher._ready_zygote().proc.pid
        for _ in range(4):
            run_file("q.py", tmp_path, [Probe(id="p", steps=[Step(call="f", observe="v")])], launcher=launcher)
        spares = _settled_children(pid)
        names = set()
        for _ in range(100):
            names = {g.name for parent in set(cgroups.parents().values()) for g in parent.glob(f"{pid}-*")}
            if len(names) == len(spares):
                break
            time.sleep(0.02)
        assert len(spares) == spares_for(1) and len(names) == spares_for(1), names
