"""Grading a batch beyond one machine: a Slurm job array through submitit.

Each array task grades a chunk of submissions on its node with the same pool and sandbox as a
local batch and writes into the same ``--out`` store (atomic files on the shared filesystem).
``submitit-local`` runs the identical code path as local processes, for tests and dry runs.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from grader.handins.submissions import Submission

ClusterKind = Literal["slurm", "submitit-local"]


class ClusterOptions(BaseModel):
    """Job parameters; a rubric may set them under ``cluster:``, command-line options override."""

    model_config = ConfigDict(extra="forbid")
    partition: str | None = None
    gpus: int = Field(0, ge=0, description="GPUs per task")
    cpus: int = Field(2, ge=1, description="CPUs per task (the task's -j)")
    time_min: int = Field(60, gt=0, description="wall-clock limit per task, minutes")
    mem_gb: int = Field(16, gt=0)
    per_task: int = Field(50, gt=0, description="submissions per array task")
    parallelism: int = Field(64, gt=0, description="array tasks running at once")


def chunks(todo: list[Submission], per_task: int) -> list[list[Submission]]:
    """Consecutive groups of at most ``per_task`` submissions."""
    return [todo[i:i + per_task] for i in range(0, len(todo), per_task)]


def grade_chunk(assignment_arg: str, workdir: str, students: list[tuple[str, str]], out: str, device: str,
                jobs: int, without: list[str], fingerprints: dict[str, str],
                full_data_dir: str | None = None) -> list[str]:
    """One array task: grade ``students`` (name, folder) and store each result; runs on the node."""
    from grader.assignments import find_assignment
    from grader.grading import grade_and_store
    from grader.reference_cache import reference_observations
    from grader.results import load_result
    from grader.sandbox.parent.pool import make_launcher
    from grader.sandbox.protocol import SandboxSettings

    os.chdir(workdir)
    assignment = find_assignment(assignment_arg)
    out_dir = Path(out)
    graded = []
    with make_launcher("auto", size=jobs) as launcher:
        reference, _ = reference_observations(assignment, device, launcher)
        for student, folder in students:
            stored = load_result(out_dir, student)
            if stored and stored.fingerprint == fingerprints[student]:
                continue  # a retried task skips what its first attempt finished
            sandbox = SandboxSettings(disable=without, full_data_dir=full_data_dir)
            grade_and_store(assignment, Path(folder), reference, out_dir, fingerprints[student], device=device,
                            student=student, launcher=launcher, sandbox=sandbox)
            graded.append(student)
    return graded


def make_executor(kind: ClusterKind, folder: Path, options: ClusterOptions):
    """A submitit executor for Slurm (or its local stand-in) with the job parameters set."""
    import submitit

    executor = submitit.AutoExecutor(folder=folder, cluster="slurm" if kind == "slurm" else "local")
    params = {"timeout_min": options.time_min, "mem_gb": options.mem_gb, "cpus_per_task": options.cpus,
              "slurm_array_parallelism": options.parallelism, "name": "grade"}
    if options.gpus:
        params["gpus_per_node"] = options.gpus
    if options.partition:
        params["slurm_partition"] = options.partition
    executor.update_parameters(**params)
    return executor


def run_chunks(kind: ClusterKind, options: ClusterOptions, folder: Path, calls: list[tuple]) -> list[list[str] | None]:
    """Submit one array task per call, wait, retry each failed task once; None marks a task that failed twice."""
    executor = make_executor(kind, folder, options)
    jobs = executor.map_array(grade_chunk, *zip(*calls)) if calls else []
    outcomes: list[list[str] | None] = []
    for job, call in zip(jobs, calls):
        try:
            outcomes.append(job.result())
        except Exception:  # noqa: BLE001 - a failed task is retried once, then reported
            retry = executor.submit(grade_chunk, *call)
            try:
                outcomes.append(retry.result())
            except Exception:  # noqa: BLE001
                outcomes.append(None)
    return outcomes
