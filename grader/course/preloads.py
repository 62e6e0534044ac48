"""What the course's own files import when they load, for the fork server to import once.

The fork server imports torch and the child's own modules before it says it is ready; everything
else a child needs it imports itself, which costs every child again (torchvision: ~2 s, pandas
and matplotlib: ~0.5 s each). The reference's and the starter's graded files, the course files
and the course's drivers show what a course uses: the modules they import at module level (not
inside a function, not under ``if __name__ == "__main__":``) are imported once by the fork server
instead, so that a student's file importing the same ones finds them loaded.
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from grader.plan import GradingPlan


def course_imports(plan: GradingPlan) -> tuple[str, ...]:
    """The installed modules that the course's files import at module level, in the order first seen."""
    a = plan.assignment
    folders = [folder for folder in (a.reference_dir, a.starter_dir) if folder.is_dir()]
    files = [folder / name for folder in folders for qplan in plan for name in qplan.question.candidates(folder)]
    files += list(plan.course.files.values()) + ([plan.course.drivers] if plan.course.drivers else [])
    local = {path.stem for folder in folders for path in folder.iterdir()} | {p.stem for p in files}
    found: dict[str, None] = {}
    for path in files:
        if path.suffix == ".py" and path.is_file():
            found.update(dict.fromkeys(module_level_imports(path.read_text(errors="replace"))))
    return tuple(name for name in found if name.split(".")[0] not in local and _installed(name.split(".")[0]))


def module_level_imports(source: str) -> list[str]:
    """The absolute module names a file imports when it is loaded (blocks of ``if``, ``try`` and ``with``
    included; function and class bodies and the ``__main__`` block left out)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module and node.module != "__future__":
            names.append(node.module)
        elif isinstance(node, ast.If) and not _is_main_guard(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, (ast.Try, ast.With)):
            pending += node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
            pending += [stmt for handler in getattr(node, "handlers", []) for stmt in handler.body]
    return names


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _installed(top: str) -> bool:
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False
