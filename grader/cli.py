"""The ``grade`` command: parse the arguments, then hand over to one module in ``commands/``."""
from __future__ import annotations

import argparse
import sys

from rich.console import Console

from grader import __version__
from grader.commands import EXIT_USAGE
from grader.commands import (audit, batch, bundle, gradescope, local, marks, moodle, quiz, reference, sheet,
                             similarity, status, validate)

VERBS = {
    "batch": (batch, "grade every submission in a folder"),
    "status": (status, "progress of a running or finished batch"),
    "reference": (reference, "run the reference through its rubric (must score full marks)"),
    "validate": (validate, "check a rubric file"),
    "quiz": (quiz, "a Moodle quiz (XML or GIFT) with answers computed by the reference, in variants"),
    "sheet": (sheet, "the marker's sheet: manual checks, instructions, answer keys, a marks template"),
    "marks": (marks, "import a marker's points for manual checks"),
    "local": (local, "check your own work against the public checks of a handout (also: grade --local)"),
    "bundle": (bundle, "write the student handout: starter files, README, public self-checks"),
    "moodle": (moodle, "write Moodle's grading worksheet and feedback-files zip from a graded batch"),
    "gradescope": (gradescope, "an autograder zip for Gradescope (rubric and cached reference answers, "
                               "no reference source)"),
    "audit": (audit, "prove the rubric catches wrong code: reference on several seeds, mutants of it"),
    "similarity": (similarity, "rank pairs of students whose files are alike, handed-out code set aside "
                               "(evidence to look at, not a verdict)"),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per verb."""
    parser = argparse.ArgumentParser(prog="grade", description="Grade PyTorch coursework in a sandbox.",
                                     epilog="Students: `grade --local` in a handout folder is `grade local`.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for name, (module, help_text) in VERBS.items():
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``grade``; returns the exit code."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--local"]:
        argv[0] = "local"
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else 0
    if not args.verb:
        parser.print_help()
        return EXIT_USAGE
    module, _ = VERBS[args.verb]
    return module.run(args, Console(soft_wrap=True))


if __name__ == "__main__":
    sys.exit(main())
