"""Grading a batch beyond one machine: a Slurm job array through submitit.

Each array task runs the one batch engine (``grader.batch.run_job``) on its chunk of submissions,
with the same parallel pool and sandbox as a local batch, and stores into the same ``--out``
folder (atomic files on the shared filesystem). The login node submits the array, records its
job id in ``batch.json``, and watches the tasks with squeue (sacct, when the cluster keeps
accounting, says how a task that left no outcome ended). A task that failed is resubmitted once;
a cancelled task or one that ran out of its time limit is not: what it had not stored stays
pending for the next run. ``submitit-local`` runs the identical code path as local processes,
for tests and dry runs.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from grader.batch import BatchJob, Outcome, Undone, run_job
from grader.commands.printing import say, warning
from grader.rubric import ClusterOptions
from grader.slurm_queries import ORDINARY_WAIT, Accounting, SlurmError, partition, queued
from grader.store import BatchStore

ClusterKind = Literal["slurm", "submitit-local"]
POLL_SECONDS = 2.0
# a task stopped this close to its time limit (counted from its own start) ran out of time
LIMIT_SLACK_SECONDS = 30


def split_job(job: BatchJob, per_task: int) -> list[BatchJob]:
    """One job per consecutive group of at most ``per_task`` students."""
    return [job.model_copy(update={"students": job.students[i:i + per_task]})
            for i in range(0, len(job.students), per_task)]


def make_executor(kind: ClusterKind, folder: Path, options: ClusterOptions):
    """A submitit executor for Slurm (or its local stand-in) with the job parameters set."""
    import submitit  # only batches sent to a cluster need it

    executor = submitit.AutoExecutor(folder=folder, cluster="slurm" if kind == "slurm" else "local")
    params = {"timeout_min": options.time_min, "mem_gb": options.mem_gb, "cpus_per_task": options.cpus,
              "slurm_array_parallelism": options.parallelism, "name": "grade",
              # submitit's warning signal (SIGUSR2, 90 s early) would end the task before its limit; a
              # signal every process ignores takes its place, so a task grades until the limit itself
              "slurm_additional_parameters": {"signal": "URG@90"}}
    if options.gpus:
        params["gpus_per_node"] = options.gpus
    if options.partition:
        params["slurm_partition"] = options.partition
    executor.update_parameters(**params)
    return executor


def partition_problem(options: ClusterOptions) -> str:
    """Why the partition can never run a task with these options ('' when it can), from sinfo."""
    try:
        part = partition(options.partition)
    except SlurmError as exc:
        return f"--executor slurm: {exc}"
    asked = f"partition {part.name}"
    if options.cpus > part.cpus:
        return (f"-j {options.cpus} asks each task for {options.cpus} CPUs, but the largest node of {asked} has "
                f"{part.cpus}: use -j {part.cpus} or less")
    if options.mem_gb * 1024 > part.mem_mb:
        return (f"--mem-gb {options.mem_gb} is more than the largest node of {asked} has "
                f"({part.mem_mb / 1024:.0f} GB): use --mem-gb {max(1, part.mem_mb // 1024)} or less")
    if options.gpus > part.gpus:
        return f"--gpus {options.gpus} is more than the nodes of {asked} have ({part.gpus})"
    if part.max_minutes is not None and options.time_min > part.max_minutes:
        return f"--time-min {options.time_min} is over the time limit of {asked} ({part.max_minutes} min)"
    return ""


def live_jobs(store: BatchStore) -> str:
    """A sentence when an earlier batch's job array still grades into this folder ('' when none does)."""
    manifest = store.read_manifest() or {}
    jobs = [str(j) for j in manifest.get("jobs", [])]
    if not jobs or manifest.get("executor") != "slurm":
        return ""
    try:
        tasks = queued(jobs)
    except SlurmError:
        return ""  # no squeue here: nothing can be live on a cluster this machine cannot see
    if not tasks:
        return ""
    running = sum(t.state == "RUNNING" for t in tasks.values())
    ids = sorted({task.split("_")[0] for task in tasks})
    return (f"job {', '.join(ids)} of an earlier `grade batch` still grades into {store.out} ({running} tasks "
            f"running, {len(tasks) - running} pending): wait for it (`grade status --out {store.out}`) "
            f"or stop it with `scancel {' '.join(ids)}`, then run the batch again")


@dataclass
class _Attempt:
    index: int
    job: object  # a submitit Job
    tries: int
    seen_running: bool = False
    gone_polls: int = 0


@dataclass
class TaskEnd:
    """How one array task ended: ``done``, ``failed``, ``cancelled`` or ``time limit``, and the detail."""

    how: str
    job_id: str
    detail: str = ""
    outcome: Outcome | None = None


def run_on_cluster(kind: ClusterKind, options: ClusterOptions, store: BatchStore, job: BatchJob,
                   console: Console) -> Undone:
    """Grade ``job`` as an array of tasks and wait for them; what they left undone, and why."""
    tasks = split_job(job, options.per_task)
    if not tasks:
        return Undone()
    executor = make_executor(kind, store.cluster_dir, options)
    try:
        submitted = executor.map_array(run_job, tasks)
    except Exception as exc:  # noqa: BLE001 - sbatch's refusal, reported in one line
        message = str(exc).strip().splitlines()
        raise SlurmError(f"sbatch refused the job: {message[-1] if message else exc}") from exc
    array = submitted[0].job_id.split("_")[0]
    store.record_jobs([array])
    say(console, f"submitted job {array}: {len(tasks)} tasks of up to {options.per_task} submissions, "
        f"{options.cpus} CPUs and {options.mem_gb} GB each")
    ends = _watch(kind, executor, options, store, tasks, [_Attempt(i, j, 1) for i, j in enumerate(submitted)],
                  console)
    return _not_graded(ends, tasks, store, options, console)


def _watch(kind: ClusterKind, executor, options: ClusterOptions, store: BatchStore, tasks: list[BatchJob],
           live: list[_Attempt], console: Console) -> dict[int, TaskEnd]:
    accounting, ends, told = Accounting(), {}, set()
    columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("", total=None)
        while live:
            time.sleep(POLL_SECONDS)
            queue = queued(sorted({_array_of(a) for a in live})) if kind == "slurm" else {}
            for attempt in list(live):
                end = _ended(kind, attempt, queue, accounting, options)
                if end is None:
                    continue
                live.remove(attempt)
                if end.how == "failed" and attempt.tries == 1:
                    retry = executor.submit(run_job, tasks[attempt.index])
                    store.record_jobs([retry.job_id])
                    warning(console, f"task {attempt.index} of job {end.job_id} failed ({end.detail}); "
                            f"resubmitted as job {retry.job_id}")
                    live.append(_Attempt(attempt.index, retry, 2))
                else:
                    ends[attempt.index] = end
            _tell_waits(queue, told, console)
            if accounting.available is False and "accounting" not in told:
                told.add("accounting")
                say(console, f"note: this cluster keeps no job accounting ({accounting.why_not}); task ends "
                    f"are read from squeue and the stored results")
            running = sum(t.state == "RUNNING" for t in queue.values())
            progress.update(bar, description=f"jobs {', '.join(sorted({_array_of(a) for a in live}))}: "
                            f"{len(ends)} of {len(tasks)} tasks ended, {running} running, "
                            f"{len(live) - running} waiting" if live else "")
    return ends


def _array_of(attempt: _Attempt) -> str:
    return str(attempt.job.job_id).split("_")[0]


def _ended(kind: ClusterKind, attempt: _Attempt, queue: dict, accounting: Accounting,
           options: ClusterOptions) -> TaskEnd | None:
    """How ``attempt`` ended, or None while it is queued or running."""
    job_id = str(attempt.job.job_id)
    if attempt.job.paths.result_pickle.exists():
        try:
            outcome = attempt.job.result()
        except Exception as exc:  # noqa: BLE001 - the task raised: its traceback's last line says why
            lines = [line for line in str(exc).splitlines() if line.strip() and not line.startswith("-")]
            return TaskEnd("failed", job_id, lines[-1] if lines else type(exc).__name__)
        if not outcome.stopped:
            return TaskEnd("done", job_id, outcome=outcome)
        state = accounting.states([job_id]).get(job_id, "")
        out_of_time = state == "TIMEOUT" or (not state and outcome.seconds >= options.time_min * 60
                                             - LIMIT_SLACK_SECONDS)
        return TaskEnd("time limit" if out_of_time else "cancelled", job_id, f"stopped by {outcome.stopped}",
                       outcome)
    if kind != "slurm":
        return TaskEnd("failed", job_id, "it ended without a result") if attempt.job.done() else None
    if job_id in queue:
        attempt.seen_running |= queue[job_id].state == "RUNNING"
        attempt.gone_polls = 0
        return None
    attempt.gone_polls += 1
    if attempt.gone_polls < 2:  # its outcome may still be on its way through the shared filesystem
        return None
    state = accounting.states([job_id]).get(job_id, "")
    if state == "CANCELLED" or (not state and not attempt.seen_running):
        return TaskEnd("cancelled", job_id, "before it started" if not attempt.seen_running else "")
    if state == "TIMEOUT":
        return TaskEnd("time limit", job_id)
    return TaskEnd("failed", job_id, f"Slurm state {state}" if state else
                   "it ended without a result: killed, or its node failed")


def _tell_waits(queue: dict, told: set, console: Console) -> None:
    """Say once why a task waits when the reason is not just its turn."""
    for task_id, task in queue.items():
        if task.state == "PENDING" and task.reason not in ORDINARY_WAIT and task.reason not in told:
            told.add(task.reason)
            warning(console, f"task {task_id} waits: {task.reason} (squeue -j {task_id.split('_')[0]} says why)")


def _not_graded(ends: dict[int, TaskEnd], tasks: list[BatchJob], store: BatchStore, options: ClusterOptions,
                console: Console) -> Undone:
    """What the tasks left without a current result, and why, from how each task ended."""
    run = Undone()
    for index, task in enumerate(tasks):
        end = ends[index]
        if end.outcome:
            for student, trace in end.outcome.failed.items():
                say(console, "\n" + trace, label=f"grader failure on {student}:", style="red")
        where = f"task {index} of job {end.job_id}"
        for work in task.students:
            if store.is_current(work.student, work.fingerprint):
                continue
            if end.outcome and work.student in end.outcome.failed:
                run.add(work.student, "failed", f"the grader failed on it in {where}; the traceback is above")
            elif end.how == "time limit":
                run.add(work.student, "timed out", f"{where} ran out of its time limit of {options.time_min} min; "
                        f"raise --time-min or lower --per-task, then rerun the batch to grade it")
            elif end.how == "failed":
                run.add(work.student, "failed", f"{where} failed twice ({end.detail}); rerun the batch to retry")
            else:
                run.add(work.student, "cancelled", f"{where} was cancelled; rerun the batch to grade it")
    return run
