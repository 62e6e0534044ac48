"""``grade status``: progress of a running (or finished) batch, read from its output folder."""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error, say
from grader.store import BatchStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade status``."""
    parser.add_argument("--out", type=Path, default=Path("marks"), help="the batch's output folder")


def run(args: argparse.Namespace, console: Console) -> int:
    """Print how many submissions are graded, pending and failed."""
    store = BatchStore(args.out)
    manifest = store.read_manifest()
    if manifest is None:
        error(console, f"no batch in {args.out} (no readable batch.json)")
        return EXIT_USAGE
    students: dict[str, str] = manifest["students"]
    done = list(store.current(students))
    failed = manifest.get("failed", [])
    pending = [name for name in students if name not in done and name not in failed]
    state = "finished" if manifest.get("finished") else "running"
    say(console, f"{manifest['assignment']} ({manifest['executor']}, {state}): {len(done)} of {len(students)} graded, "
        f"{len(pending)} pending, {len(failed)} failed")
    if pending:
        say(console, "pending: " + ", ".join(pending[:20]) + (" ..." if len(pending) > 20 else ""))
    if failed:
        say(console, "failed: " + ", ".join(failed))
    return EXIT_OK
