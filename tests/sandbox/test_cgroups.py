"""The children's cgroups that a grader removes as orphans, and those it must leave to their owners."""
from __future__ import annotations

import os
import subprocess
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
