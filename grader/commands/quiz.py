"""``grade quiz``: a Moodle quiz (XML or GIFT) whose answers the reference computes, in variants."""
from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import grading_plan
from grader.commands.printing import error, say, warning
from grader.authoring.quiz.build import QuizError, build_quiz, repeated_numericals
from grader.authoring.quiz.gift import write_gift
from grader.authoring.quiz.moodle_xml import write_moodle_xml
from grader.render.html import fmt
from grader.atomic import write_atomic
from grader.sandbox.parent.pool import make_launcher

WRITERS = {"moodle-xml": write_moodle_xml, "gift": write_gift}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade quiz``."""
    parser.add_argument("assignment", help="assignment name or rubric file (its reference folder has quiz.py)")
    parser.add_argument("--format", choices=sorted(WRITERS), default="moodle-xml")
    parser.add_argument("--variants", type=int, default=1, help="variant 1 is the handout's; others draw new inputs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the variants' inputs")
    parser.add_argument("--spread-seeds", type=int, default=50,
                        help="shuffles/initialisations over which random answers and their tolerances are measured")
    parser.add_argument("--out", type=Path, required=True, help="the file to write (.xml or .gift)")


def run(args: argparse.Namespace, console: Console) -> int:
    """0 with the quiz written, 1 when the reference's quiz fails, 2 on bad input."""
    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    if args.variants < 1 or args.spread_seeds < 1:
        error(console, "--variants and --spread-seeds must be at least 1")
        return EXIT_USAGE
    assignment = plan.assignment
    try:
        with make_launcher("auto") as launcher:
            quiz = build_quiz(assignment, args.variants, args.seed, args.spread_seeds, launcher)
    except QuizError as exc:
        error(console, str(exc))
        return EXIT_GRADER_FAILED
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(args.out, WRITERS[args.format](quiz))
    count = sum(len(items) for items in quiz.values())
    say(console, f"{args.out}: {count} questions in {len(quiz)} variant(s) of {assignment.name} "
        f"({args.format}; random answers measured over {args.spread_seeds} seeds)")
    if args.format == "gift":
        warning(console, gift_note(quiz), label="note:")
    repeated = repeated_numericals(quiz)
    if repeated:
        warning(console, "the same question with the same answer in two variants: " + "; ".join(repeated),
                label="note:")
    return EXIT_OK


def gift_note(quiz: dict) -> str:
    """What GIFT loses against Moodle XML: per-question points and the penalty."""
    items = next(iter(quiz.values()))
    points = sum(item.points for item in items)
    return (f"GIFT has no per-question points or penalty: Moodle imports each of the {len(items)} questions of a "
            f"variant as 1 mark with a penalty of 0.3333333, so a variant totals {len(items)} marks instead of "
            f"the {fmt(points)} points (penalty 0) that --format moodle-xml keeps. Use moodle-xml, or set the "
            "marks in Moodle's quiz after the import.")
