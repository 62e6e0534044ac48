"""``grade gradescope``: an autograder zip for Gradescope — setup.sh, run_autograder, the rubric and
the reference's cached observations, the grader itself; never the reference's source."""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import grading_plan, working_reference
from grader.commands.printing import say
from grader.sandbox.parent.pool import make_launcher
from grader.lms.autograder_zip import write_autograder_zip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade gradescope``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to upload")


def run(args: argparse.Namespace, console: Console) -> int:
    """0 with the zip written; 1 when the reference fails; 2 on bad input."""
    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    with make_launcher("auto") as launcher:
        found = working_reference(plan, launcher, console)
    if found is None:
        return EXIT_GRADER_FAILED
    reference, _ = found
    write_autograder_zip(args.out, plan, reference)
    say(console, f"{args.out}: Gradescope autograder for {plan.assignment.name} ({len(reference)} questions; "
        "no reference source inside)")
    return EXIT_OK
