"""``grade moodle``: write what Moodle imports from a graded batch — the worksheet and feedback files."""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error, say, warning
from grader.lms.moodle_feedback import feedback_zip
from grader.lms.worksheet import fill_worksheet
from grader.results import load_results, write_atomic


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade moodle``."""
    parser.add_argument("--out", type=Path, default=Path("marks"), help="the graded batch's folder (default: marks/)")
    parser.add_argument("--worksheet", type=Path, required=True,
                        help="the grading worksheet CSV downloaded from Moodle's assignment")


def export_to_moodle(out: Path, worksheet: Path, console: Console) -> int:
    """Write ``<out>/moodle/grading_worksheet.csv`` and ``<out>/moodle/feedback_files.zip``."""
    results = load_results(out)
    if not results:
        error(console, f"no graded results in {out}")
        return EXIT_USAGE
    try:
        text, filled, locked = fill_worksheet(worksheet, results)
    except (OSError, ValueError) as exc:
        error(console, str(exc))
        return EXIT_USAGE
    folder = out / "moodle"
    write_atomic(folder / "grading_worksheet.csv", text)
    zipped = feedback_zip(folder / "feedback_files.zip", results, out)
    unmatched = len(results) - filled - len(locked)
    say(console, f"{folder}/grading_worksheet.csv: {filled} rows filled"
        + (f" ({unmatched} graded students have no row: no Moodle id in their folder name, or not in this "
           "worksheet)" if unmatched else "")
        + f"; {folder}/feedback_files.zip: {zipped} reports. Upload both in the assignment's "
        "'Upload grading worksheet' and 'Upload multiple feedback files in a zip'.")
    if locked:
        warning(console, f"{len(locked)} rows say 'Grade can be changed: No' (locked, or released in a marking "
                f"workflow); Moodle would skip them, so they are left as they came: {', '.join(locked)}",
                label="not filled:")
    return EXIT_OK


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when both files are written; 2 when the batch or the worksheet cannot be read, or a grade would be
    outside what Moodle accepts."""
    return export_to_moodle(args.out, args.worksheet, console)
