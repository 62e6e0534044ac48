"""The children's cgroups that a grader removes as orphans, and those it must leave to their owners."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest

from grader.sandbox.layers import cgroups

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the children's cgroups are root's")


def test_only_old_groups_of_a_creator_that_is_gone_are_removed_as_orphans(monkeypatch):
    """A grader in another PID namespace is not in this ``/proc``: a group it has just made, that its child has
    not joined yet, must not be taken for a killed grader's leftover."""
    if not cgroups.parents():
        pytest.skip("this machine has no pids or memory cgroup")
    parent = next(iter(cgroups.parents().values()))
    parent.mkdir(exist_ok=True)
    gone = subprocess.Popen(["true"])
    gone.wait()
    tag = uuid.uuid4().hex[:8]
    old, fresh, living = (parent / f"{gone.pid}-old{tag}", parent / f"{gone.pid}-fresh{tag}",
                          parent / f"{os.getpid()}-old{tag}")
    for group in (old, fresh, living):
        group.mkdir()
    long_ago = time.time() - 2 * cgroups.ORPHAN_AGE
    for group in (old, living):
        os.utime(group, (long_ago, long_ago))
    monkeypatch.setattr(cgroups, "_orphans_checked", set())
    try:
        cgroups._remove_orphans(parent)
        assert not old.exists()  # a killed grader's leftover
        assert fresh.exists()  # perhaps another namespace's grader's, about to be joined
        assert living.exists()  # this process's own
    finally:
        for group in (old, fresh, living):
            if group.exists():
                group.rmdir()


def test_a_memory_limit_below_what_a_group_uses_is_reported_as_not_set():
    """A spare made under a larger limit may already use more than a request's limit allows: the kernel keeps the
    old limit then, and ``set_limits`` says so (the fork server gives that request another child)."""
    if "memory" not in cgroups.parents():
        pytest.skip("this machine has no memory cgroup")
    groups = [g for g in cgroups.create(64, 512) if g.parent == cgroups.parents()["memory"]]
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; sys.stdin.readline(); b = bytearray(48 << 20); "
                               "b[::4096] = b'x' * len(b[::4096]); print(1, flush=True); time.sleep(60)"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        (groups[0] / "cgroup.procs").write_text(str(holder.pid))
        holder.stdin.write(b"go\n")
        holder.stdin.flush()
        holder.stdout.readline()  # its 48 MiB written, charged to the group
        assert cgroups.set_limits(groups, 64, 256)
        assert not cgroups.set_limits(groups, 64, 16)  # below its use: refused, and said
        limit = next(groups[0] / f for f in ("memory.limit_in_bytes", "memory.max") if (groups[0] / f).exists())
        assert limit.read_text().strip() == str(256 << 20)
    finally:
        holder.kill()
        holder.wait()
        cgroups.remove(groups)
