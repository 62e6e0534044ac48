"""A Slurm batch stopped from outside (scancel of a task or of the array, a time limit) stores no wrong
mark, writes its outputs from what it stored, resubmits nothing, and a rerun grades exactly the rest."""
from __future__ import annotations

import re
import time

import pytest

from tests.slurm.course import (expected, grade_command, make_submissions, marks_rows, run_batch, start_batch,
                                status, stored, wait_for)

pytestmark = pytest.mark.slurm

SLURM = ["--executor", "slurm", "--mem-gb", "1", "-j", "1"]


def in_flight(out, first: str) -> bool:
    """``first`` is stored: the next student of its task is being graded."""
    return (out / "results" / f"{first}.json").exists()


def test_scancel_of_one_task_mid_grading_then_rerun(slurm, course, tmp_path):
    root, local = course
    names = ["a_ann", "s1_slow", "u_uma", "v_vic"]  # tasks: [a_ann, s1_slow] and [u_uma, v_vic]
    subs = make_submissions(tmp_path / "subs", names)
    out, log = tmp_path / "out", tmp_path / "batch.log"
    command = grade_command(subs, out, *SLURM, "--per-task", "2", "--time-min", "5")
    before = slurm.jobs()
    batch = start_batch(root, command, log)
    wait_for(lambda: "RUNNING" in slurm.queued().values(), "a task to run", proc=batch, log=log)
    (job,) = slurm.jobs() - before
    assert re.search(rf"job {job}\b.*running", status(root, out))
    wait_for(lambda: in_flight(out, "a_ann"), "a_ann to be stored", proc=batch, log=log)
    time.sleep(2)  # s1_slow sleeps 12 s at import: it is being graded
    slurm.run("scancel", f"{job}_0", check=True)
    batch.wait(timeout=120)
    output = log.read_text()
    assert batch.returncode == 1, output
    assert "cancelled" in output and "s1_slow" in output
    assert "failed twice" not in output
    assert stored(out) == expected(local, ["a_ann", "u_uma", "v_vic"])  # no mark for s1_slow, right or wrong
    assert sorted(row["student"] for row in marks_rows(out)) == ["a_ann", "u_uma", "v_vic"]
    assert re.search(r"cancelled.*3 of 4 graded, 1 pending", status(root, out))
    assert slurm.jobs() - before == {job}  # a cancelled task is not resubmitted

    code, output = run_batch(root, command)
    assert code == 0 and "3 kept from an earlier run" in output, output
    assert stored(out) == expected(local, names)
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == names
    assert sorted(row["student"] for row in marks_rows(out)) == names


def test_scancel_of_the_whole_array(slurm, course, tmp_path):
    root, local = course
    names = ["a_ann", "b_ben", "s1_slow", "s2_slow", "u_uma", "v_vic"]
    subs = make_submissions(tmp_path / "subs", names)
    out, log = tmp_path / "out", tmp_path / "batch.log"
    command = grade_command(subs, out, *SLURM, "--per-task", "2", "--time-min", "5")
    before = slurm.jobs()
    batch = start_batch(root, command, log)
    wait_for(lambda: in_flight(out, "a_ann"), "a_ann to be stored", proc=batch, log=log)
    (job,) = slurm.jobs() - before
    slurm.run("scancel", job, check=True)
    cancelled = time.monotonic()
    batch.wait(timeout=120)
    assert time.monotonic() - cancelled < 60  # nothing waits on resubmitted chunks
    output = log.read_text()
    assert batch.returncode == 1, output
    assert "cancelled" in output and "failed twice" not in output
    assert slurm.jobs() - before == {job}
    kept = stored(out)
    assert "a_ann" in kept and len(kept) < len(names)
    assert kept == expected(local, sorted(kept))
    assert sorted(row["student"] for row in marks_rows(out)) == sorted(kept)
    assert (out / "index.html").is_file()
    assert re.search(rf"cancelled.*{len(kept)} of 6 graded, {6 - len(kept)} pending", status(root, out))

    code, output = run_batch(root, command)
    assert code == 0 and f"{len(kept)} kept from an earlier run" in output, output
    assert stored(out) == expected(local, names)


def test_a_time_limit_too_short_keeps_what_was_graded_and_says_so(slurm, course, tmp_path):
    root, local = course
    # 30 s each: 120 s of work in a 1-minute task. slurmctld looks at time limits on a 30-second sweep and
    # then waits KillWait (5 s), so the task ends 60-95 s in: 80 s of work could finish before it.
    names = ["t1_sleepy", "t2_sleepy", "t3_sleepy", "t4_sleepy"]
    subs = make_submissions(tmp_path / "subs", names)
    out = tmp_path / "out"
    before = slurm.jobs()
    code, output = run_batch(root, grade_command(subs, out, *SLURM, "--per-task", "4", "--time-min", "1"), timeout=200)
    assert code == 1, output
    assert "time limit" in output and "--time-min" in output and "failed twice" not in output, output
    kept = stored(out)
    assert 1 <= len(kept) < 4, output  # the first ones finished within the minute
    assert kept == expected(local, sorted(kept))
    assert sorted(row["student"] for row in marks_rows(out)) == sorted(kept)
    assert len(slurm.jobs() - before) == 1  # the same limit is not tried again
    assert re.search(rf"{len(kept)} of 4 graded, {4 - len(kept)} pending", status(root, out))
