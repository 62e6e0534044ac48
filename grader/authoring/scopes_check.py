"""Before grading: every ``within:`` of a source check names a definition in the reference's file.

``within`` takes top-level functions and classes (``forward``, ``Model``) and methods written
``Class.method`` (``Model.__init__``). A name the reference does not define would fail every
student at grading time; ``grade validate`` says so first.
"""
from __future__ import annotations

import ast

from grader.assignments import Assignment
from grader.checks.source_rules import scopes


def within_problems(assignment: Assignment) -> list[str]:
    """One sentence per ``within`` name that the reference's file does not define."""
    problems = []
    for question in assignment.rubric.questions:
        for check in question.checks:
            names = getattr(check, "within", None)
            if not names:
                continue
            file = getattr(check, "file", None) or question.file
            path = assignment.reference_dir / file
            if path.suffix != ".py" or not path.is_file():
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, ValueError, OSError):
                continue  # `grade reference` reports a reference that does not parse
            for name, node in scopes(tree, names).items():
                if node is None:
                    problems.append(f"{question.id}/{check.id}: within `{name}` is not defined in {path}; name a "
                                    "top-level function or class, or a method as `Class.method`")
    return problems
