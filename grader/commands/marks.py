"""``grade marks import``: enter a marker's points for manual checks, then refresh every output.

The CSV has columns ``student``, ``check`` (``question/check``), ``points`` and, optionally,
``comment``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.console import Console

from grader.commands import EXIT_OK, EXIT_USAGE
from grader.batch import write_class_files
from grader.commands.printing import error, say
from grader.render.html import fmt, write_report
from grader.render.spreadsheet import unquote_cell
from grader.results import Result
from grader.store import BatchStore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade marks import``."""
    parser.add_argument("action", choices=["import"], help="import: read a marker's CSV")
    parser.add_argument("csv", type=Path, help="CSV with columns student, check, points[, comment]")
    parser.add_argument("--out", type=Path, default=Path("marks"), help="the batch's output folder")


class MarksError(Exception):
    """A row of the marks file that cannot be applied."""


def apply_mark(result: Result, check_ref: str, points: float, comment: str) -> None:
    """Set the points of one manual check (``question/check``) of one result."""
    qid, _, cid = check_ref.partition("/")
    question = next((q for q in result.questions if q.id == qid), None)
    check = next((c for c in question.checks if c.id == cid), None) if question else None
    if check is None:
        raise MarksError(f"{result.student}: no check {check_ref!r} (write it as question/check)")
    if check.kind != "manual":
        raise MarksError(f"{result.student}: {check_ref} is an automatic check; only manual checks take marks")
    if not 0 <= points <= check.max_points:
        raise MarksError(f"{result.student}: {check_ref} takes 0 to {fmt(check.max_points)} points, got {points:g}")
    check.points = points
    check.status = "pass" if points == check.max_points else "fail" if points == 0 else "partial"
    check.message = f"marked by hand: {fmt(points)} / {fmt(check.max_points)}" + (f" — {comment}" if comment else "")


def run(args: argparse.Namespace, console: Console) -> int:
    """Apply every row, or none: a bad row stops the import with its line number."""
    try:
        frame = pd.read_csv(args.csv, dtype={"student": str, "check": str}, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        error(console, f"{args.csv}: {exc}")
        return EXIT_USAGE
    missing = {"student", "check", "points"} - set(frame.columns)
    if missing:
        error(console, f"{args.csv}: missing columns {sorted(missing)}")
        return EXIT_USAGE
    store = BatchStore(args.out)
    results = {r.student: r for r in store.load_all()}
    try:
        for line, row in enumerate(frame.itertuples(index=False), start=2):
            student = row.student if row.student in results else unquote_cell(row.student)
            if student not in results:
                raise MarksError(f"line {line}: no result for student {row.student!r} in {args.out}/results")
            try:
                apply_mark(results[student], unquote_cell(row.check), float(row.points),
                           str(getattr(row, "comment", "")))
            except (MarksError, ValueError) as exc:
                raise MarksError(f"line {line}: {exc}") from None
    except MarksError as exc:
        error(console, f"{args.csv}: {exc}")
        return EXIT_USAGE
    ordered = sorted(results.values(), key=lambda r: r.student)
    for result in ordered:
        result.recompute()
        store.save(result)
        write_report(store.report_path(result.student), result)
    write_class_files(store, ordered)
    say(console, f"Imported {len(frame)} marks into {args.out}")
    return EXIT_OK
