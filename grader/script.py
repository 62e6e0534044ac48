"""The installed ``grade`` script: starts a fork server first when the command will grade here.

``grade batch`` and ``grade local`` wait for a warm fork server before their first submission runs, and
its imports (torch, and what the students' files import) are most of that wait: started before the grader
imports its own modules, they overlap with them.
"""
from __future__ import annotations

import os
import sys

GRADING_VERBS = ("batch", "local", "--local")


def grades_here_with_a_fork_server(argv: list[str]) -> bool:
    """Whether ``grade ARGV`` grades on this machine with the fork server (not spawn, not on a cluster)."""
    if not sys.platform.startswith("linux") or not argv or argv[0] not in GRADING_VERBS:
        return False
    pairs = set(zip(argv, argv[1:])) | {tuple(a.split("=", 1)) for a in argv if a.startswith("--") and "=" in a}
    return ("--launcher", "spawn") not in pairs and all(value == "local" for key, value in pairs if key == "--executor")


def students_and_rubric(argv: list[str]) -> tuple[str, str] | None:
    """The submissions folder and the rubric of ``grade batch ASSIGNMENT FOLDER ...`` (None for other forms: the
    fork server's first guess only)."""
    if argv[:1] != ["batch"] or len(argv) < 3 or argv[1].startswith("-") or argv[2].startswith("-"):
        return None
    from grader.rubric_paths import rubric_file

    rubric = rubric_file(argv[1])
    return (argv[2], str(rubric)) if rubric is not None and os.path.isdir(argv[2]) else None


def console_main() -> None:
    """``grade ...``."""
    if grades_here_with_a_fork_server(sys.argv[1:]):
        from grader.sandbox.parent.pool import start_early

        start_early(students_and_rubric(sys.argv[1:]))
    from grader.cli import main

    sys.exit(main(freeze_imports=True))
