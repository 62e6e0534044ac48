"""Grading a batch beyond one machine: a Slurm job array through submitit.

Each array task runs the one batch engine (``grader.batch.run_job``) on its chunk of submissions,
with the same parallel pool and sandbox as a local batch, and stores into the same ``--out``
folder (atomic files on the shared filesystem). ``submitit-local`` runs the identical code path
as local processes, for tests and dry runs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from grader.batch import BatchJob, Outcome, run_job
from grader.rubric import ClusterOptions

ClusterKind = Literal["slurm", "submitit-local"]


def split_job(job: BatchJob, per_task: int) -> list[BatchJob]:
    """One job per consecutive group of at most ``per_task`` students."""
    return [job.model_copy(update={"students": job.students[i:i + per_task]})
            for i in range(0, len(job.students), per_task)]


def make_executor(kind: ClusterKind, folder: Path, options: ClusterOptions):
    """A submitit executor for Slurm (or its local stand-in) with the job parameters set."""
    import submitit  # only batches sent to a cluster need it

    executor = submitit.AutoExecutor(folder=folder, cluster="slurm" if kind == "slurm" else "local")
    params = {"timeout_min": options.time_min, "mem_gb": options.mem_gb, "cpus_per_task": options.cpus,
              "slurm_array_parallelism": options.parallelism, "name": "grade"}
    if options.gpus:
        params["gpus_per_node"] = options.gpus
    if options.partition:
        params["slurm_partition"] = options.partition
    executor.update_parameters(**params)
    return executor


def run_on_cluster(kind: ClusterKind, options: ClusterOptions, folder: Path, job: BatchJob) -> list[Outcome | None]:
    """Submit one array task per chunk of ``job``, wait, retry each failed task once; None marks a task
    that failed twice."""
    tasks = split_job(job, options.per_task)
    executor = make_executor(kind, folder, options)
    submitted = executor.map_array(run_job, tasks) if tasks else []
    outcomes: list[Outcome | None] = []
    for running, task in zip(submitted, tasks):
        try:
            outcomes.append(running.result())
        except Exception:  # noqa: BLE001 - a failed task is retried once, then reported
            retry = executor.submit(run_job, task)
            try:
                outcomes.append(retry.result())
            except Exception:  # noqa: BLE001
                outcomes.append(None)
    return outcomes
