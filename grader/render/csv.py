"""``marks.csv``: one row per student, one column per question, and the total."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from grader.render.spreadsheet import safe_cell
from grader.atomic import write_atomic
from grader.results import Result

if TYPE_CHECKING:
    import pandas as pd


def marks_frame(results: list[Result]) -> pd.DataFrame:
    """Students x questions table of points, with a ``total`` column."""
    import pandas as pd  # only when the class files are written: half a second at every command's start

    rows = [{"student": r.student, **{q.id: q.points for q in r.questions}, "total": r.total} for r in results]
    columns = ["student"] + ([q.id for q in results[0].questions] if results else []) + ["total"]
    return pd.DataFrame(rows, columns=columns)


def write_marks_csv(path: Path, results: list[Result]) -> Path:
    """Write ``marks.csv`` at ``path``; text cells that a spreadsheet would run as formulas are quoted (``safe_cell``)."""
    frame = marks_frame(results)
    frame = frame.rename(columns=safe_cell).assign(student=frame["student"].map(safe_cell))
    write_atomic(path, frame.to_csv(index=False, lineterminator="\r\n"))  # CRLF: a CR in a name is quoted too
    return path
