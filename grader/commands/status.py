"""``grade status``: progress of a running (or finished) batch, read from its output folder.

The state says what is really happening, not what the manifest last said: a batch whose login
process died while its Slurm array runs on is ``running`` (squeue sees its tasks); once the array
has ended it is ``finished`` when everything is graded, else what became of the array.
"""
from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error, say
from grader.slurm_queries import Accounting, SlurmError, queued
from grader.store import BatchStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade status``."""
    parser.add_argument("--out", type=Path, default=Path("marks"), help="the batch's output folder")


def run(args: argparse.Namespace, console: Console) -> int:
    """Print the batch's state and how many submissions are graded, pending and failed."""
    store = BatchStore(args.out)
    manifest = store.read_manifest()
    if manifest is None:
        error(console, f"no batch in {args.out} (no readable batch.json)")
        return EXIT_USAGE
    students: dict[str, str] = manifest["students"]
    done = set(store.current(students))
    failed = [name for name in manifest.get("failed", []) if name not in done]
    pending = [name for name in students if name not in done and name not in failed]
    jobs = [str(j) for j in manifest.get("jobs", [])]
    where = f"{manifest['executor']} job {', '.join(jobs)}" if jobs else manifest["executor"]
    say(console, f"{manifest['assignment']} ({where}, {_state(manifest, jobs, done, students)}): {len(done)} of "
        f"{len(students)} graded, {len(pending)} pending, {len(failed)} failed")
    if pending:
        say(console, "pending: " + ", ".join(pending[:20]) + (" ..." if len(pending) > 20 else ""))
    if failed:
        say(console, "failed: " + ", ".join(failed))
    return EXIT_OK


def _state(manifest: dict, jobs: list[str], done: set[str], students: dict[str, str]) -> str:
    """``running`` (with its tasks), ``finished``, ``cancelled``, ``timed out``, ``failed`` or ``stopped``."""
    if jobs:
        try:
            tasks = queued(jobs)
        except SlurmError:
            tasks = None  # asked away from the cluster: trust the manifest
        if tasks:
            running = sum(t.state == "RUNNING" for t in tasks.values())
            return f"running: {running} tasks running, {len(tasks) - running} pending"
        if tasks is not None and not manifest.get("finished"):
            return _ended_without_login(jobs, done, students)
    if manifest.get("finished"):
        return manifest.get("state", "finished")
    if not jobs and not _login_alive(manifest.get("login") or {}):
        return "finished" if len(done) == len(students) else "stopped (rerun the batch to grade the rest)"
    return "running"


def _ended_without_login(jobs: list[str], done: set[str], students: dict[str, str]) -> str:
    """The array has ended but the process that submitted it did not see it end (it was killed)."""
    if len(done) == len(students):
        return "finished"
    states = set(Accounting().states(jobs).values())
    for state, word in (("FAILED", "failed"), ("TIMEOUT", "timed out"), ("CANCELLED", "cancelled")):
        if state in states:
            return word
    return "stopped (rerun the batch to grade the rest)"


def _login_alive(login: dict) -> bool:
    """Whether the process that runs a local batch still runs (asked on its own machine only)."""
    if login.get("host") != socket.gethostname() or not isinstance(login.get("pid"), int):
        return True  # another machine's process: it cannot be asked from here
    try:
        os.kill(login["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
