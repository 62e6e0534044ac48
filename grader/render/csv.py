"""``marks.csv``: one row per student, one column per question, and the total."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from grader.results import Result, write_atomic


def marks_frame(results: list[Result]) -> pd.DataFrame:
    """Students x questions table of points, with a ``total`` column."""
    rows = [{"student": r.student, **{q.id: q.points for q in r.questions}, "total": r.total} for r in results]
    columns = ["student"] + ([q.id for q in results[0].questions] if results else []) + ["total"]
    return pd.DataFrame(rows, columns=columns)


def write_marks_csv(out_dir: Path, results: list[Result]) -> Path:
    """Write ``<out>/marks.csv``."""
    path = out_dir / "marks.csv"
    write_atomic(path, marks_frame(results).to_csv(index=False))
    return path
