"""``grade sheet``: the marker's sheet (manual checks, instructions, answer keys) and a marks template."""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

from rich.console import Console

from grader.authoring.answer_keys import compute_answer_keys
from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import grading_plan
from grader.commands.printing import error, say
from grader.render.html import environment, fmt
from grader.render.spreadsheet import safe_cell
from grader.atomic import write_atomic
from grader.store import BatchStore
from grader.sandbox.parent.pool import make_launcher

TEMPLATE_NAME = "marks_to_enter.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade sheet``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    parser.add_argument("--out", type=Path, default=Path("sheet"), help="folder for sheet.html (default: sheet/)")
    parser.add_argument("--marks-from", type=Path, metavar="MARKS_FOLDER",
                        help=f"a graded batch's output folder: also write {TEMPLATE_NAME}, one row per student "
                             "and manual check, for `grade marks import`")


def manual_questions(rubric) -> list:
    """The questions that have manual checks, each with only those checks."""
    found = []
    for question in rubric.questions:
        checks = [c for c in question.checks if c.kind == "manual"]
        if checks:
            found.append(question.model_copy(update={"checks": checks}))
    return found


def write_marks_template(path: Path, students: list[str], questions: list) -> int:
    """``student,check,points,comment`` rows with empty points; returns the number of rows. Names that a
    spreadsheet would run as formulas are quoted (``safe_cell``); ``grade marks import`` reads them back."""
    rows = [(safe_cell(s), safe_cell(f"{q.id}/{c.id}"), "", "") for s in students for q in questions for c in q.checks]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "check", "points", "comment"])
        writer.writerows(rows)
    return len(rows)


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when the sheet (and template) are written; 1 when an answer key failed; 2 on bad input."""
    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    assignment = plan.assignment
    questions = manual_questions(assignment.rubric)
    if not questions:
        say(console, f"{assignment.name} has no manual checks: nothing to mark by hand")
        return EXIT_OK
    with make_launcher("auto") as launcher:
        keys = compute_answer_keys(assignment, launcher)
    args.out.mkdir(parents=True, exist_ok=True)
    template = None
    if args.marks_from:
        students = [r.student for r in BatchStore(args.marks_from).load_all()]
        if not students:
            error(console, f"no graded results in {args.marks_from}")
            return EXIT_USAGE
        template = args.out / TEMPLATE_NAME
        count = write_marks_template(template, students, questions)
        say(console, f"{template}: {count} marks to enter ({len(students)} students)")
    page = environment().get_template("sheet.html").render(
        assignment=assignment.name, questions=questions, keys=keys, template=template.name if template else None)
    write_atomic(args.out / "sheet.html", page)
    manual = sum(c.points for q in questions for c in q.checks)
    say(console, f"{args.out / 'sheet.html'}: {sum(len(q.checks) for q in questions)} manual checks "
        f"({fmt(manual)} points), {len(keys)} answer keys")
    broken = [f"{ref}: {key.problem}" for ref, key in keys.items() if key.problem]
    for line in broken:
        say(console, line, label="answer key failed:", style="red")
    return EXIT_GRADER_FAILED if broken else EXIT_OK
