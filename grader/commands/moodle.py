"""``grade moodle``: write what Moodle imports from a graded batch — the worksheet and feedback files."""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from grader.commands.shared import write_for_moodle


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade moodle``."""
    parser.add_argument("--out", type=Path, default=Path("marks"), help="the graded batch's folder (default: marks/)")
    parser.add_argument("--worksheet", type=Path, required=True,
                        help="the grading worksheet CSV downloaded from Moodle's assignment")


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when both files are written; 2 when the batch or the worksheet cannot be read, or a grade would be
    outside what Moodle accepts."""
    return write_for_moodle(args.out, args.worksheet, console)
