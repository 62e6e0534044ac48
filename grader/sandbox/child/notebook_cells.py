"""Running a notebook's cells in the child, as "Restart and run all" would, without stopping at errors.

The parent writes each cell that runs as ``cell_007.py`` (line n of the file is line n of the
cell) and a small module that calls :func:`run` with its own globals, so every cell shares one
namespace, the module's. As in Jupyter, ``__name__`` is ``"__main__"`` while the cells run. A cell
that raises (``SystemExit`` included) is reported on stderr and the next cells still run, as a
marker running the notebook cell by cell would see them.
"""
from __future__ import annotations

import os
import sys
import traceback


def cell_file(folder: str, number: int) -> str:
    """Where the parent writes cell ``number``."""
    return os.path.join(folder, f"cell_{number:03d}.py")


def _failure(number: int, path: str, exc: BaseException) -> str:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    where = f"cell {number}, line {lines[-1]}" if lines else f"cell {number}"
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001 - a student exception whose __str__ raises
        message = "<the message could not be printed>"
    return f"[grader] {where} raised {type(exc).__name__}: {message[:500]}; the next cells still run"


def run(namespace: dict, folder: str, cells: list[tuple[int, str]]) -> None:
    """Run the cells ``(number, note)`` in order in ``namespace``: a cell with a note is skipped, saying why."""
    folder = os.path.abspath(folder)
    own_name = namespace.get("__name__")
    namespace["__name__"] = "__main__"
    try:
        for number, note in cells:
            if note:
                print(f"[grader] {note}", file=sys.stderr)
                continue
            path = cell_file(folder, number)
            with open(path, encoding="utf-8") as handle:
                code = compile(handle.read(), path, "exec", dont_inherit=True)
            try:
                exec(code, namespace)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - Jupyter shows the error and goes on
                print(_failure(number, path, exc), file=sys.stderr)
    finally:
        namespace["__name__"] = own_name
