"""``grade similarity``: which students' files are alike, once handed-out code is set aside."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error
from grader.commands.shared import (add_similarity_choices, grading_plan, similarity_choices_problem,
                                    write_similarity_report)

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade similarity``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    parser.add_argument("submissions", type=Path, help="folder with one sub-folder per student")
    add_similarity_options(parser)
    parser.add_argument("--out", type=Path, default=Path("similarity"),
                        help="folder for similarity.html and similarity.csv (default: similarity/)")


def add_similarity_options(parser: argparse.ArgumentParser) -> None:
    """``--also``, ``--threshold``, ``--ops``, ``-j`` and ``--json``."""
    add_similarity_choices(parser)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="sandboxed runs at once for --ops (default: number of cores)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the report as JSON")


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when the report was written, 2 on bad input."""
    from grader.handins.submissions import SubmissionsError, find_submissions

    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    if problem := similarity_choices_problem(args):
        error(console, problem)
        return EXIT_USAGE
    try:
        submissions = find_submissions(args.submissions, exclude=args.out)
    except SubmissionsError as exc:
        error(console, str(exc))
        return EXIT_USAGE
    write_similarity_report(plan, submissions, args.out, console, threshold=args.threshold, also=args.also,
                            ops=args.ops, json_path=args.json, jobs=args.jobs)
    return EXIT_OK
