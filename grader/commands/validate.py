"""``grade validate``: check a rubric and print what it grades."""
from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from grader.assignments import find_assignment
from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error, say, warning
from grader.render.html import fmt
from grader.rubric import RubricError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade validate``."""
    parser.add_argument("rubric", help="rubric file or assignment name")


def run(args: argparse.Namespace, console: Console) -> int:
    """0 for a valid rubric (with its summary), 2 with every problem located."""
    try:
        assignment = find_assignment(args.rubric)
    except RubricError as exc:
        for problem in exc.problems:
            error(console, problem)
        return EXIT_USAGE
    rubric = assignment.rubric
    table = Table(title=f"{rubric.assignment}: {fmt(rubric.max_total)} points")
    for column in ("question", "file", "check", "kind", "points", "visibility"):
        table.add_column(column)
    for q in rubric.questions:
        for c in q.checks:
            table.add_row(q.id, q.file, c.id, c.kind, fmt(c.points), c.visibility)
    console.print(table)
    if not assignment.reference_dir.is_dir():
        warning(console, f"no reference folder at {assignment.reference_dir}")
    say(console, f"{assignment.rubric_path} is valid.")
    return EXIT_OK
