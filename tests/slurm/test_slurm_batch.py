"""A batch on a real Slurm gives the local marks, grades in parallel in each task, names its job, refuses
what cannot run and never submits a second array over a live one."""
from __future__ import annotations

import json
import re

import pytest

from tests.slurm.course import (expected, grade_command, make_submissions, marks_rows, run_batch, start_batch,
                                status, stored, wait_for)

pytestmark = pytest.mark.slurm

SLURM = ["--executor", "slurm", "--mem-gb", "1", "--time-min", "5"]


def test_totals_equal_local_and_each_task_grades_in_parallel(slurm, course, tmp_path):
    root, local = course
    names = ["a_ann", "b_ben", "c_cat", "d_dan", "s1_slow", "s2_slow"]
    subs = make_submissions(tmp_path / "subs", names)
    out = tmp_path / "out"
    before = slurm.jobs()
    code, output = run_batch(root, grade_command(subs, out, *SLURM, "--per-task", "3", "-j", "2"))
    assert code == 0, output
    assert stored(out) == expected(local, names)
    assert sorted(row["student"] for row in marks_rows(out)) == names
    assert (out / "index.html").is_file()
    (job,) = slurm.jobs() - before  # one array of two tasks
    assert f"job {job}" in output
    assert re.search(rf"job {job}\b.*finished.*6 of 6 graded, 0 pending", status(root, out))
    # s1_slow and s2_slow share a task with -j 2: each sleeps 12 s, so their gradings overlap in time
    spans = {}
    for name in ("s1_slow", "s2_slow"):
        result = out / "results" / f"{name}.json"
        seconds = json.loads(result.read_text())["seconds"]
        spans[name] = (result.stat().st_mtime - seconds, result.stat().st_mtime)
    (start1, end1), (start2, end2) = spans.values()
    assert start1 < end2 and start2 < end1, f"graded one after the other: {spans}"


def test_what_the_partition_cannot_give_is_a_usage_error(slurm, course, tmp_path):
    root, _ = course
    subs = make_submissions(tmp_path / "subs", ["a_ann"])
    before = slurm.jobs()
    too_much = {"--mem-gb": ["--executor", "slurm", "--mem-gb", str(slurm.memory_mb // 1024 + 8), "-j", "1"],
                "-j": ["--executor", "slurm", "--mem-gb", "1", "-j", str(slurm.cpus * 4)]}
    for option, args in too_much.items():
        code, output = run_batch(root, grade_command(subs, tmp_path / "out", *args), timeout=60)
        assert code == 2, output
        lines = output.strip().splitlines()
        assert len(lines) == 1 and option in lines[0] and "Traceback" not in output, output
    assert slurm.jobs() == before  # nothing was submitted


def test_a_rerun_while_the_array_runs_submits_nothing(slurm, course, tmp_path):
    root, local = course
    names = ["s1_slow", "s2_slow", "u_uma"]
    subs = make_submissions(tmp_path / "subs", names)
    out, log = tmp_path / "out", tmp_path / "first.log"
    command = grade_command(subs, out, *SLURM, "--per-task", "1", "-j", "1")
    before = slurm.jobs()
    first = start_batch(root, command, log)
    wait_for(lambda: "RUNNING" in slurm.queued().values(), "a task to run", proc=first, log=log)
    first.kill()  # the login process dies; the array goes on
    first.wait()
    (job,) = slurm.jobs() - before
    assert re.search(rf"job {job}\b.*running", status(root, out))
    code, output = run_batch(root, command, timeout=60)
    assert code == 2 and len(output.strip().splitlines()) == 1 and job in output, output
    assert slurm.jobs() - before == {job}  # no second array over the same students
    wait_for(lambda: not slurm.queued(), "the array to end", timeout=180)
    assert re.search(rf"job {job}\b.*finished.*3 of 3 graded, 0 pending", status(root, out))
    code, output = run_batch(root, command)
    assert code == 0 and "3 kept from an earlier run" in output, output
    assert stored(out) == expected(local, names)
    assert slurm.jobs() - before == {job}
    assert len(marks_rows(out)) == 3
