"""Without accounting (no slurmdbd, so sacct has nothing to say) a killed task ends the batch all the same."""
from __future__ import annotations

import time

import pytest

from tests.slurm.course import (expected, grade_command, make_submissions, marks_rows, run_batch, start_batch,
                                stored, wait_for)

pytestmark = pytest.mark.slurm


def test_a_cancelled_task_without_sacct(slurm_without_accounting, course, tmp_path):
    slurm = slurm_without_accounting
    root, local = course
    names = ["a_ann", "s1_slow", "s2_slow", "u_uma"]  # tasks: [a_ann, s1_slow, s2_slow] and [u_uma]
    subs = make_submissions(tmp_path / "subs", names)
    out, log = tmp_path / "out", tmp_path / "batch.log"
    command = grade_command(subs, out, "--executor", "slurm", "--mem-gb", "1", "-j", "1", "--per-task", "3",
                            "--time-min", "5")
    batch = start_batch(root, command, log)
    wait_for(lambda: (out / "results" / "a_ann.json").exists(), "a_ann to be stored", proc=batch, log=log)
    (job,) = slurm.jobs()
    time.sleep(3)  # s1_slow is being graded
    slurm.run("scancel", f"{job}_0", check=True)
    batch.wait(timeout=120)
    output = log.read_text()
    assert batch.returncode == 1, output
    assert output.count("sacct") <= 1 and "Bypassing" not in output, output
    assert stored(out) == expected(local, ["a_ann", "u_uma"])
    assert sorted(row["student"] for row in marks_rows(out)) == ["a_ann", "u_uma"]

    code, output = run_batch(root, command)
    assert code == 0 and "2 kept from an earlier run" in output, output
    assert stored(out) == expected(local, names)
