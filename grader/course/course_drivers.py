"""Drivers a course writes itself, beside the grader's own, without changing the grader.

A course folder may hold ``drivers.py`` beside ``rubrics/``. Every public top-level function in it
is a driver a rubric may name in ``driver:``, exactly like those of ``grader/course/drivers.py``::

    def bag_accuracy(model, seed=0, n=200):        # model: the student's function, object or module
        '''Accuracy of the student's classifier on seeded data.'''
        ...
        return float(correct) / n                  # plain data: numbers, lists, tensors, dicts

It runs inside the sandbox child (never in the grader's process), called as
``driver(subject, seed=..., **driver_args)``; ``subject`` is the student's function named by ``call:``,
the object built by ``object:``, or the student's module. The parent reads only the names of its
functions (from the AST, nothing is run); the staging copies the file into every working copy as
``COURSE_DRIVERS_MODULE``, where the child imports it on first use.
"""
from __future__ import annotations

import ast
import importlib.util
import os
import sys
from pathlib import Path
from typing import Callable

DRIVERS_FILE = "drivers.py"
COURSE_DRIVERS_MODULE = "_course_drivers_.py"
INTERNAL_PREFIX = "grader."  # the grader's own child-side measurements, never a rubric's driver name


class CourseDriversError(ValueError):
    """A course drivers file that cannot be used (it does not parse, or it reuses a built-in name)."""


def find_drivers_file(rubric_path: Path) -> Path | None:
    """``drivers.py`` beside the rubric (a handout's ``selfcheck/``) or in the course folder above ``rubrics/``."""
    folder = Path(rubric_path).resolve().parent
    return next((p for p in (folder / DRIVERS_FILE, folder.parent / DRIVERS_FILE) if p.is_file()), None)


def driver_names(path: Path | None, builtin: tuple[str, ...]) -> tuple[str, ...]:
    """The public top-level functions of a course drivers file, read from its AST."""
    if path is None:
        return ()
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError) as exc:
        raise CourseDriversError(f"{path}: the course's drivers cannot be read ({exc})") from None
    names = tuple(node.name for node in tree.body
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"))
    clash = sorted(set(names) & set(builtin))
    if clash:
        raise CourseDriversError(f"{path}: {', '.join(clash)} already name built-in drivers; rename the course's own")
    return names


def find_driver(name: str) -> Callable:
    """Inside the child: the driver called ``name`` (built-in, the grader's own, or the course's)."""
    from grader.course.drivers import DRIVERS  # only probes with a driver pay for the course code

    if name in DRIVERS:
        return DRIVERS[name]
    if name.startswith(INTERNAL_PREFIX):
        from grader.sandbox.child import autograd_probes  # the grader's own measurements, loaded when asked for

        return getattr(autograd_probes, name.removeprefix(INTERNAL_PREFIX))
    module = sys.modules.get("_course_drivers_")
    if module is None:
        path = os.path.join(os.getcwd(), COURSE_DRIVERS_MODULE)
        if not os.path.isfile(path):
            raise LookupError(f"the driver `{name}` is not available: the course's drivers.py was not staged")
        spec = importlib.util.spec_from_file_location("_course_drivers_", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["_course_drivers_"] = module
        spec.loader.exec_module(module)
    driver = getattr(module, name, None)
    if not callable(driver):
        raise LookupError(f"the course's drivers.py defines no driver `{name}`")
    return driver
