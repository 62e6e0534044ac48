"""What the fork server imports before it forks anything: the child's own modules (``CORE``), the modules a
batch's students import, and what the grader names once it has read the rubric. Every child then starts with
them already imported, for the price of a fork.
"""
from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
from pathlib import Path

CORE = ("torch", "numpy", "pydantic", "grader.sandbox.child.entry", "grader.inputs", "grader.observe",
        "grader.course.drivers", "grader.sandbox.child.tracing", "grader.sandbox.layers.confine",
        "grader.sandbox.channel", "grader.course.environment", "grader.course.packages",
        "grader.sandbox.child.stability", "grader.sandbox.child.seeding", "grader.sandbox.child.ipython_shim")


def import_all(names: Iterable[str]) -> bool:
    """Import ``names`` (one that is missing or fails is left to the child that needs it); True when
    anything new was imported."""
    import importlib

    before = len(sys.modules)
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a course module that fails here fails in its child, with its message
            pass
    gc.freeze()  # a collection in a child never writes to (and so copies) the pages of the preloads' objects
    return len(sys.modules) != before


def preload_core() -> None:
    """Import ``CORE`` and compute once what every child would otherwise compute for itself."""
    import_all(CORE)
    from grader.course.environment import install_process_wide  # after the preloads above, in the zygote only
    from grader.sandbox.layers.confine import warm_up

    from grader.sandbox.parent.rehearsal import workout

    install_process_wide()
    warm_up()
    workout()
    gc.freeze()


def students_imports(folder: str, rubric: str) -> tuple[str, ...]:
    """The known packages that many of the students' graded files import (``preloads.common_imports``); () on any
    trouble: the grader's own preload message follows anyway."""
    try:
        from grader.course.preloads import common_imports, handed_in_files

        return common_imports(handed_in_files(Path(folder), Path(rubric)))
    except Exception:  # noqa: BLE001 - a first guess only
        return ()
