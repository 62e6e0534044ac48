"""Where an assignment's rubric is, from its name or path, without reading it (the grade script asks first,
before the grader's own imports).

A name resolves to ``rubrics/<name>.yaml`` in the current directory first (an instructor's own course
folder), then in the assignments shipped with the grader; a path to a YAML file is taken as it is.
"""
from __future__ import annotations

from pathlib import Path

SHIPPED_ROOT = Path(__file__).resolve().parent.parent


def roots() -> list[Path]:
    """The folders searched for ``rubrics/``, ``reference/`` and ``starter/``, in order (once each: run from the
    project's own folder, the two are one)."""
    return list(dict.fromkeys([Path.cwd().resolve(), SHIPPED_ROOT.resolve()]))


def rubric_file(name_or_path: str) -> Path | None:
    """The rubric a name or path stands for, or None when there is none."""
    given = Path(name_or_path)
    if given.suffix in (".yaml", ".yml"):
        return given if given.is_file() else None
    return next((path for root in roots() if (path := root / "rubrics" / f"{name_or_path}.yaml").is_file()), None)
