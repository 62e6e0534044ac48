"""Batches beyond one machine, through submitit: the real code path on its local executor, and
the sbatch parameters it would give Slurm."""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from grader.cli import main
from grader.batch import BatchJob, StudentWork
from grader.cluster import make_executor, split_job
from grader.commands.batch import cluster_options
from grader.rubric import ClusterOptions
from tests.conftest import some_examples
from tests.sandbox.test_pool import strip


def test_sbatch_parameters(tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "srun").write_text("#!/bin/sh\nexit 0\n")
    (fake / "srun").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    options = ClusterOptions(partition="gpu", gpus=1, time_min=120, mem_gb=32, cpus=4, parallelism=10)
    slurm = make_executor("slurm", tmp_path / "jobs", options)._executor
    slurm.parameters["map_count"] = 20  # what map_array sets for 20 array tasks
    script = slurm._make_submission_file_text("python -u -m submitit.core._submit jobs", "uid")
    for line in ("--partition=gpu", "--gpus-per-node=1", "--time=120", "--mem=32GB", "--cpus-per-task=4",
                 "--array=0-19%10", "--job-name=grade"):
        assert f"#SBATCH {line}\n" in script


def test_options_come_from_the_rubric_then_the_command_line():
    rubric = ClusterOptions(partition="short", gpus=1, per_task=10)
    args = argparse.Namespace(partition=None, gpus=None, time_min=30, mem_gb=None, per_task=None, jobs=3)
    merged = cluster_options(args, rubric)
    assert (merged.partition, merged.gpus, merged.time_min, merged.per_task, merged.cpus) == ("short", 1, 30, 10, 3)


def test_chunks_cover_every_submission_once():
    job = BatchJob(assignment="a", workdir=".", out="marks",
                   students=[StudentWork(student=f"s{i}", folder=f"f{i}", fingerprint="x") for i in range(7)])
    tasks = split_job(job, 3)
    assert [len(t.students) for t in tasks] == [3, 3, 1]
    assert [w.student for t in tasks for w in t.students] == [w.student for w in job.students]


@pytest.mark.slow
def test_submitit_local_gives_the_local_results(graded_examples, tmp_path, capsys):
    _, local = graded_examples
    names = ["alice_correct", "carol_wrong_shape", "frank_syntax_error", "grace_missing_function"]
    subs, out = some_examples(tmp_path / "subs", names), tmp_path / "out"
    assert main(["batch", "comp4901y-hw1", str(subs), "--out", str(out), "--executor", "submitit-local",
                 "--per-task", "3", "-j", "1"]) == 0
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == names
    for name in names:
        path = local / "results" / f"{name}.json"
        assert strip(json.loads(path.read_text())) == strip(json.loads((out / "results" / path.name).read_text()))
    def rows(folder):
        """marks.csv's header and the rows of the students handed in here."""
        lines = (folder / "marks.csv").read_text().splitlines()
        return [line for line in lines if line.split(",")[0] in {"student", *names}]

    assert rows(out) == rows(local) and len(rows(out)) == 5
    capsys.readouterr()
    assert main(["status", "--out", str(out)]) == 0
    assert "4 of 4 graded, 0 pending, 0 failed" in capsys.readouterr().out


@pytest.mark.slow
def test_killed_tasks_are_regraded_on_rerun(tmp_path, capsys):
    names = ["alice_correct", "bob_matmul", "frank_syntax_error", "grace_missing_function"]
    subs, out = some_examples(tmp_path / "subs", names), tmp_path / "out"
    command = [sys.executable, "-m", "grader.cli", "batch", "comp4901y-hw1", str(subs), "--out", str(out),
               "--executor", "submitit-local", "--per-task", "2", "-j", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list((out / "results").glob("*.json"))) < 1:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and every task it started
    proc.wait()
    graded_before = len(list((out / "results").glob("*.json")))
    assert graded_before < 4
    capsys.readouterr()
    assert main(["status", "--out", str(out)]) == 0
    assert f"{graded_before} of 4 graded, {4 - graded_before} pending" in capsys.readouterr().out
    assert main(["batch", "comp4901y-hw1", str(subs), "--out", str(out), "--executor", "submitit-local",
                 "--per-task", "3", "-j", "1"]) == 0
    assert f"{graded_before} kept from an earlier run" in capsys.readouterr().out
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == names
