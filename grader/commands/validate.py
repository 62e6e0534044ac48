"""``grade validate``: check a rubric and print what it grades."""
from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from grader.assignments import Assignment, find_assignment
from grader.authoring.op_listing import reference_ops
from grader.authoring.scopes_check import within_problems
from grader.commands.shared import add_launcher_argument
from grader.plan import GradingPlan
from grader.sandbox.parent.pool import make_launcher
from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error, say, warning
from grader.render.html import fmt
from grader.rubric import RubricError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade validate``."""
    parser.add_argument("rubric", help="rubric file or assignment name")
    parser.add_argument("--ops", action="store_true", help="also run each check's call on the reference with "
                        "tracing on and list the torch ops it runs, by the names trace patterns match")
    add_launcher_argument(parser)


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
    for problem in within_problems(assignment):
        warning(console, problem)
    say(console, f"{assignment.rubric_path} is valid.")
    if args.ops:
        _print_ops(assignment, args.launcher, console)
    return EXIT_OK


def _print_ops(assignment: Assignment, launcher_name: str, console: Console) -> None:
    """The ops the reference runs in every check that calls something."""
    with make_launcher(launcher_name) as launcher:
        listed = reference_ops(GradingPlan.build(assignment), launcher)
    table = Table(title="torch ops the reference runs (first trial of each check)")
    for column in ("question", "check", "ops"):
        table.add_column(column, overflow="fold")
    for item in listed:
        ranked = sorted(item.ops.items(), key=lambda kv: (-kv[1], kv[0]))
        table.add_row(item.question, item.check, item.problem or ", ".join(f"{op} ({n}x)" for op, n in ranked))
    console.print(table)
    for item in listed:
        for text in item.warnings:
            warning(console, f"{item.question}/{item.check}: {text}")
