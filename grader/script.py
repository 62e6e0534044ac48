"""The installed ``grade`` script: starts a fork server first when the command will grade here.

``grade batch`` and ``grade local`` wait for a warm fork server before their first submission runs, and
its imports (torch, torchvision, pandas, matplotlib) are most of that wait: started before the grader
imports its own modules, they overlap with them.
"""
from __future__ import annotations

import sys

GRADING_VERBS = ("batch", "local", "--local")


def grades_here_with_a_fork_server(argv: list[str]) -> bool:
    """Whether ``grade ARGV`` grades on this machine with the fork server (not spawn, not on a cluster)."""
    if not sys.platform.startswith("linux") or not argv or argv[0] not in GRADING_VERBS:
        return False
    pairs = set(zip(argv, argv[1:])) | {tuple(a.split("=", 1)) for a in argv if a.startswith("--") and "=" in a}
    return ("--launcher", "spawn") not in pairs and all(value == "local" for key, value in pairs if key == "--executor")


def console_main() -> None:
    """``grade ...``."""
    if grades_here_with_a_fork_server(sys.argv[1:]):
        from grader.sandbox.parent.pool import start_early

        start_early()
    from grader.cli import main

    sys.exit(main())
