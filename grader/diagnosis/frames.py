"""Where an exception came from, read from its traceback in the child: the student's code, the call the
grader made, or the grader's own code (a driver using what the student's code returned).

The child reports this as data; the parent uses it only for wording and status, never for points.
"""
from __future__ import annotations

import traceback
from pathlib import Path
from typing import Literal

from grader.course.course_drivers import COURSE_DRIVERS_MODULE

Origin = Literal["student", "call", "grader"]

GRADER_ROOT = Path(__file__).parent.parent  # as the grader's own frames name their files
DISPATCH = "sandbox/child/entry.py"
# Grader code that only stands between the student's code and what it calls (the op recorder, the
# course environment answering URLs and imports, the notebook and script runners): an exception raised
# there is raised on the student's behalf, as a library's would be.
PASS_THROUGH = frozenset({"sandbox/child/tracing.py", "sandbox/child/ipython_shim.py",
                          "sandbox/child/notebook_cells.py", "sandbox/child/run_as_main.py",
                          "course/environment.py", "course/packages.py"})


def origin_of(exc: BaseException, workdir: str, root: Path = GRADER_ROOT) -> tuple[Origin, str]:
    """Whose frame raised ``exc``, looking from the innermost frame out, and the grader's line when it is the grader's.

    ``student``: a frame of a file in the working copy; ``call``: the grader's step itself (a call whose
    arguments the function did not accept, or a built-in the student's name points to); ``grader``: any
    other grader code, such as a driver unpacking a returned value, or the course's own drivers file staged
    in the working copy.
    """
    if type(exc) is LookupError:
        return "student", ""  # a driver's own report of what the student's code lacks ("no `log` dict")
    prefix = str(root) + "/"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        name = frame.filename
        if name.startswith(workdir):
            if Path(name).name == COURSE_DRIVERS_MODULE:
                return "grader", f"the course's drivers.py, line {frame.lineno}"
            return "student", ""
        if not name.startswith(prefix):
            continue  # torch, numpy, the standard library: on someone's behalf
        relative = name[len(prefix):]
        if relative == DISPATCH:
            return "call", ""
        if relative not in PASS_THROUGH:
            return "grader", f"grader/{relative}, line {frame.lineno}"
    return "call", ""
