"""``grade local`` (also ``grade --local``): a student checks their own work against the public checks.

Runs in the student's handout folder: the public rubric and the reference's answers come from
``selfcheck/`` (written by ``grade bundle``), so neither the reference solution nor the network
is needed.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import add_device_argument, add_launcher_argument, unsupported_platform
from grader.commands.printing import cell, error, say, warning
from grader.device import DeviceError, resolve_device
from grader.grading import GradingOptions, grade_submission
from grader.plan import GradingPlan
from grader.render.html import fmt, render_report
from grader.results import Result
from grader.rubric import RubricError
from grader.sandbox.layers.confine import LAYERS
from grader.course.preloads import course_imports
from grader.sandbox.parent.pool import make_launcher
from grader.lms.selfcheck import SELFCHECK_DIR, find_selfcheck, load_selfcheck

EXIT_CHECKS_FAILED = 1
SELF_CHECK_NOTE = ("Self-check: the public checks only, run on your machine. Hidden checks run when your work "
                   "is graded, so your final mark can be lower.")
STYLES = {"pass": "green", "partial": "yellow", "fail": "red", "error": "red", "grader_error": "magenta",
          "manual": "dim"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade local``."""
    parser.add_argument("folder", nargs="?", type=Path, default=Path("."),
                        help="your assignment folder (default: the current folder)")
    parser.add_argument("--html", nargs="?", type=Path, const=Path("report.html"), metavar="FILE",
                        help="also write the HTML report (default file: report.html in the folder)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the result as JSON (for editors and scripts)")
    add_device_argument(parser)
    parser.add_argument("--without", action="append", default=[], choices=LAYERS, metavar="LAYER",
                        help="switch a sandbox layer off (repeatable)")
    add_launcher_argument(parser)


def results_table(result: Result) -> Table:
    """One row per check: question, check, points, message."""
    table = Table(title=f"{result.assignment}: public checks", title_justify="left")
    for column in ("question", "check", "points", "message"):
        table.add_column(column, overflow="fold")
    for q in result.questions:
        for c in q.checks:
            message = f"grader error, not your fault: {c.message}" if c.status == "grader_error" else c.message
            table.add_row(cell(q.id), cell(c.title or c.id), f"{fmt(c.points)}/{fmt(c.max_points)}",
                          cell(message), style=STYLES.get(c.status, ""))
    return table


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when every public check passes, 1 when one does not, 2 when there is nothing to check."""
    if unsupported_platform(console):
        return EXIT_USAGE
    folder = args.folder
    selfcheck = find_selfcheck(folder) if folder.is_dir() else None
    if selfcheck is None:
        error(console, f"no {SELFCHECK_DIR}/ folder in {folder.resolve()} or above it: run "
              "`grade --local` inside the handout folder your course gave you")
        return EXIT_USAGE
    try:
        assignment, expected = load_selfcheck(selfcheck)
        device = resolve_device(args.device)
    except (RubricError, DeviceError) as exc:
        error(console, str(exc))
        return EXIT_USAGE
    absent = [q.file for q in assignment.rubric.questions if not (folder / q.file_in(folder)).is_file()]
    if absent:
        warning(console, f"{', '.join(absent)} (their checks score 0)", label=f"not found in {folder}:")
    plan = GradingPlan.build(assignment, device)
    with make_launcher(args.launcher, preload=course_imports(plan)) as launcher:
        result = grade_submission(plan, folder, expected, launcher=launcher,
                                  student=folder.resolve().name, options=GradingOptions(without=args.without))
    console.print(results_table(result))
    if result.sandbox_missing:
        warning(console, f"{'; '.join(result.sandbox_missing)} "
                "(your code ran with the others)", label="sandbox layers not available here:")
    if args.html:
        path = args.html if args.html.is_absolute() else folder / args.html
        path.write_text(render_report(result, note=SELF_CHECK_NOTE))
        say(console, f"report: {path}")
    if args.json:
        args.json.write_text(result.model_dump_json(indent=2))
    failing = [c for q in result.questions for c in q.checks if c.status not in ("pass", "manual")]
    say(console, f"{fmt(result.total)} / {fmt(result.max_total)} public points; "
        + (f"{len(failing)} check{'s' * (len(failing) > 1)} to fix" if failing else "every public check passes")
        + ". Hidden checks run when your work is graded.")
    owned = [c for q in result.questions for c in q.checks if c.status == "grader_error"]
    if owned:
        warning(console, f"{len(owned)} check{'s' * (len(owned) > 1)} failed in the grader or the rubric, not in your "
                "code (the rows marked as grader errors); this is not your fault: tell your instructor",
                label="grader error:")
        return EXIT_GRADER_FAILED
    return EXIT_CHECKS_FAILED if failing else EXIT_OK
