"""``grade reference``: run the reference through its own rubric; it must score full marks."""
from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import add_device_argument, add_launcher_argument, grading_plan
from grader.commands.printing import cell, say
from grader.grading import grade_submission
from grader.reference_cache import reference_observations
from grader.render.html import fmt
from grader.course.preloads import course_imports
from grader.sandbox.parent.pool import make_launcher


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade reference``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    add_device_argument(parser)
    parser.add_argument("--refresh", action="store_true", help="ignore the cache and run the reference again")
    add_launcher_argument(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when the reference gets full marks; 1 (with the failing checks) when it does not."""
    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    assignment = plan.assignment
    with make_launcher(args.launcher, preload=course_imports(plan)) as launcher:
        reference, cached = reference_observations(plan, launcher, refresh=args.refresh)
        result = grade_submission(plan, assignment.reference_dir, reference, student="reference", launcher=launcher)
    table = Table(title=f"{assignment.name}: the reference graded by its own rubric")
    for column in ("question", "check", "points", "status", "message"):
        table.add_column(column, overflow="fold")
    for q in result.questions:
        for c in q.checks:
            style = "" if c.status in ("pass", "manual") else "red"
            table.add_row(q.id, c.id, f"{fmt(c.points)}/{fmt(c.max_points)}", c.status, cell(c.message), style=style)
    console.print(table)
    automatic = assignment.rubric.automatic_total
    manual = result.max_total - automatic
    state = "cached" if cached else "run and cached"
    say(console, f"reference observations {state}; the reference scores {fmt(result.total)} / {fmt(automatic)} "
        f"automatic points" + (f" ({fmt(manual)} more are marked by hand)" if manual else ""))
    return EXIT_OK if abs(result.total - automatic) < 1e-9 else EXIT_GRADER_FAILED
