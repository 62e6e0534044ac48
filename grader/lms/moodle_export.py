"""What Moodle imports from a graded batch: the grading worksheet filled, and the feedback-files zip."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.atomic import write_atomic
from grader.lms.moodle_feedback import feedback_zip
from grader.lms.worksheet import fill_worksheet
from grader.store import BatchStore


@dataclass
class MoodleExport:
    """Where the files went and what they hold."""

    worksheet: Path
    feedback: Path
    filled: int
    zipped: int
    unmatched: int
    locked: list[str] = field(default_factory=list)


def export_to_moodle(store: BatchStore, worksheet: Path) -> MoodleExport:
    """Write ``moodle/grading_worksheet.csv`` and ``moodle/feedback_files.zip`` from the stored results.
    Raises ValueError (or OSError) naming what is wrong with the batch or the worksheet."""
    results = store.load_all()
    if not results:
        raise ValueError(f"no graded results in {store.out}")
    text, filled, locked = fill_worksheet(worksheet, results)
    sheet = store.moodle_dir / "grading_worksheet.csv"
    write_atomic(sheet, text)
    archive = store.moodle_dir / "feedback_files.zip"
    zipped = feedback_zip(archive, results, store)
    return MoodleExport(sheet, archive, filled, zipped, len(results) - filled - len(locked), locked)
