"""The ``grade`` command: parse the arguments, then hand over to one module in ``commands/``."""
from __future__ import annotations

import argparse
import gc
import importlib
import sys
from types import ModuleType

from rich.console import Console

from grader import __version__
from grader.commands import EXIT_USAGE
from grader.sandbox.parent.scheduling import as_batch_work

# Each verb's module (in grader.commands) is imported only when that verb runs or its options are shown:
# a verb's imports (torch, pandas, the audit's machinery) would otherwise delay every command's start.
VERBS = {
    "batch": "grade every submission in a folder",
    "status": "progress of a running or finished batch",
    "reference": "run the reference through its rubric (must score full marks)",
    "validate": "check a rubric file",
    "quiz": "a Moodle quiz (XML or GIFT) with answers computed by the reference, in variants",
    "sheet": "the marker's sheet: manual checks, instructions, answer keys, a marks template",
    "marks": "import a marker's points for manual checks",
    "local": "check your own work against the public checks of a handout (also: grade --local)",
    "bundle": "write the student handout: starter files, README, public self-checks",
    "moodle": "write Moodle's grading worksheet and feedback-files zip from a graded batch",
    "gradescope": "an autograder zip for Gradescope (rubric and cached reference answers, no reference source)",
    "audit": "prove the rubric catches wrong code: reference on several seeds, mutants of it",
    "similarity": "rank pairs of students whose files are alike, handed-out code set aside "
                  "(evidence to look at, not a verdict)",
}


def verb_module(verb: str) -> ModuleType:
    """The module in ``grader.commands`` that implements ``verb``."""
    return importlib.import_module(f"grader.commands.{verb}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with one sub-command per verb; with ``only``, just that verb's options are read
    (the other verbs are listed, their modules not imported)."""
    parser = argparse.ArgumentParser(prog="grade", description="Grade PyTorch coursework in a sandbox.",
                                     epilog="Students: `grade --local` in a handout folder is `grade local`.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for name, help_text in VERBS.items():
        verb_parser = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            verb_module(name).add_arguments(verb_parser)
    return parser


def main(argv: list[str] | None = None, *, freeze_imports: bool = False) -> int:
    """Entry point of ``grade``; returns the exit code. ``freeze_imports`` (the ``grade`` script): the objects the
    verb's imports made (torch's among them: millions) live as long as the process, so the garbage collector
    is told to leave them alone (``gc.freeze``); its first full pass over them cost ~0.1 s at the moment the
    batch starts its threads. The verb runs as batch work (``scheduling``), its threads and children too."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["--local"]:
        argv[0] = "local"
    parser = build_parser(argv[0] if argv and argv[0] in VERBS else None)
    if freeze_imports:
        gc.freeze()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else 0
    if not args.verb:
        parser.print_help()
        return EXIT_USAGE
    as_batch_work()  # before any thread or child starts: each inherits it
    return verb_module(args.verb).run(args, Console(soft_wrap=True))


if __name__ == "__main__":
    sys.exit(main())
