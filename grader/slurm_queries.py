"""What Slurm says, asked through its own commands: a partition's limits (sinfo), the tasks of a job
still queued or running (squeue) and how finished tasks ended (sacct, when the cluster keeps
accounting; asked once, then left alone)."""
from __future__ import annotations

import shutil
import subprocess

from pydantic import BaseModel

# squeue states of a task that has not ended yet
LIVE = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESIZING",
        "SUSPENDED", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"}
# squeue's reasons for a pending task that only mean "wait your turn"
ORDINARY_WAIT = {"None", "Priority", "Resources", "JobArrayTaskLimit", "BeginTime", "Dependency"}


class SlurmError(Exception):
    """A Slurm command is missing or did not answer."""


def _run(*argv: str) -> subprocess.CompletedProcess:
    if shutil.which(argv[0]) is None:
        raise SlurmError(f"`{argv[0]}` is not installed here: run the batch on the cluster's login node")
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SlurmError(f"`{' '.join(argv)}` did not answer within 60 s") from exc


class Partition(BaseModel):
    """The largest node of a partition, and the partition's time limit."""

    name: str
    cpus: int
    mem_mb: int
    gpus: int
    max_minutes: int | None


def partition(name: str | None) -> Partition:
    """The named partition (Slurm's default one when ``name`` is None), from sinfo."""
    done = _run("sinfo", "-h", "-o", "%P|%c|%m|%G|%l")
    if done.returncode != 0:
        raise SlurmError(f"sinfo failed: {done.stderr.strip() or done.stdout.strip()}")
    rows = [line.split("|") for line in done.stdout.splitlines() if line.count("|") == 4]
    names = sorted({row[0].rstrip("*") for row in rows})
    wanted = [row for row in rows if (row[0].rstrip("*") == name if name else row[0].endswith("*"))]
    if not wanted:
        raise SlurmError(f"no partition {name!r} (sinfo lists {', '.join(names) or 'none'})" if name
                         else f"the cluster has no default partition: name one with --partition ({', '.join(names)})")
    return Partition(name=wanted[0][0].rstrip("*"), cpus=max(_number(r[1]) for r in wanted),
                     mem_mb=max(_number(r[2]) for r in wanted), gpus=max(_gpus(r[3]) for r in wanted),
                     max_minutes=_minutes(wanted[0][4]))


def _number(text: str) -> int:
    digits = text.rstrip("+")
    return int(digits) if digits.isdigit() else 0


def _gpus(gres: str) -> int:
    """GPUs per node from sinfo's GRES column, e.g. ``gpu:a100:4(S:0-1)`` -> 4."""
    total = 0
    for item in gres.split(","):
        parts = item.split("(")[0].split(":")
        if parts[0] == "gpu" and parts[-1].isdigit():
            total += int(parts[-1])
    return total


def _minutes(limit: str) -> int | None:
    """A Slurm time (``infinite``, ``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH[:MM[:SS]]``) in whole minutes."""
    days, _, clock = limit.rpartition("-")
    parts = clock.split(":")
    if not all(p.isdigit() for p in parts) or (days and not days.isdigit()):
        return None  # infinite, n/a
    numbers = [int(p) for p in parts] + [0, 0]
    if days:
        hours, minutes = numbers[0], numbers[1]
    elif len(parts) == 3:
        hours, minutes = numbers[0], numbers[1]
    else:
        hours, minutes = 0, numbers[0]
    return int(days or 0) * 1440 + hours * 60 + minutes


class Task(BaseModel):
    """One queued or running array task as squeue shows it."""

    state: str
    reason: str


def queued(job_ids: list[str]) -> dict[str, Task]:
    """``{task id: Task}`` of the jobs' tasks that have not ended (``12_3``; a job that is no array: ``12``)."""
    if not job_ids:
        return {}
    done = _run("squeue", "-h", "-r", "-j", ",".join(job_ids), "-o", "%i|%T|%r")
    if done.returncode != 0:
        if "Invalid job id" in done.stderr:  # every job has ended and left the controller's memory
            return {}
        raise SlurmError(f"squeue failed: {done.stderr.strip()}")
    tasks = {}
    for line in done.stdout.splitlines():
        task_id, _, rest = line.partition("|")
        state, _, reason = rest.partition("|")
        if state in LIVE:
            tasks[task_id] = Task(state=state, reason=reason)
    return tasks


class Accounting:
    """sacct, when the cluster keeps accounting: whether it does is found out once, on first use."""

    def __init__(self) -> None:
        self.available: bool | None = None
        self.why_not = ""

    def states(self, job_ids: list[str]) -> dict[str, str]:
        """``{task id: final state}`` (``COMPLETED``, ``CANCELLED``, ``TIMEOUT``, ``FAILED``...); {} without sacct."""
        if self.available is False or not job_ids:
            return {}
        try:
            done = _run("sacct", "-n", "-X", "-P", "-j", ",".join(job_ids), "-o", "JobID,State")
        except SlurmError as exc:
            done, self.why_not = None, str(exc)
        if done is not None and done.returncode != 0:
            self.why_not = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "sacct failed"
        self.available = not self.why_not
        if not self.available:
            return {}
        states = {}
        for line in done.stdout.splitlines():
            task_id, _, state = line.partition("|")
            states[task_id] = state.split(" ")[0]
        return states
