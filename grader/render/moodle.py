"""Files Moodle imports: the filled-in offline grading worksheet and a feedback-files zip.

The worksheet is the CSV Moodle's assignment exports ("Download grading worksheet"); only
Grade, Last modified (grade) and Feedback comments are written, every other column is kept as
it came. Rows are matched by their Identifier ("Participant 123") to the student folder
``Full Name_123`` the submissions zip created.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from grader.render.html import fmt
from grader.results import Result

PARTICIPANT = re.compile(r"Participant\s+(\d+)")
STUDENT_ID = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)(?:_assignsubmission_[a-z]+_?)?$")


def moodle_ids(results: list[Result]) -> dict[str, tuple[str, str]]:
    """``{moodle id: (student folder, full name)}`` for students whose folder is ``Full Name_123``."""
    found = {}
    for result in results:
        match = STUDENT_ID.match(result.student)
        if match:
            found[match["id"]] = (result.student, match["name"])
    return found


def _comment(result: Result) -> str:
    parts = [f"{q.title or q.id}: {fmt(q.points)} / {fmt(q.max_points)}" for q in result.questions]
    pending = sum(c.status == "manual" for q in result.questions for c in q.checks)
    tail = f" {pending} checks are still to be marked by hand." if pending else ""
    return f"Total {fmt(result.total)} / {fmt(result.max_total)}. " + "; ".join(parts) + "." + tail + \
        " The attached report.html explains every check."


def fill_worksheet(worksheet: Path, results: list[Result], now: datetime | None = None) -> tuple[str, int]:
    """The worksheet's text with grades and feedback filled in; and how many rows were filled."""
    text = worksheet.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or "Identifier" not in rows[0] or "Grade" not in rows[0]:
        raise ValueError(f"{worksheet}: not a Moodle grading worksheet (no Identifier and Grade columns)")
    header = rows[0]
    col = {name: header.index(name) for name in header}
    by_student = {result.student: result for result in results}
    by_id = {moodle_id: by_student[student] for moodle_id, (student, _) in moodle_ids(results).items()}
    stamp = (now or datetime.now()).strftime("%A, %d %B %Y, %I:%M %p")
    filled = 0
    for row in rows[1:]:
        match = PARTICIPANT.search(row[col["Identifier"]]) if len(row) == len(header) else None
        result = by_id.get(match.group(1)) if match else None
        if result is None:
            continue
        maximum = float(row[col["Maximum Grade"]]) if "Maximum Grade" in col and row[col["Maximum Grade"]] else \
            result.max_total
        row[col["Grade"]] = f"{result.total / result.max_total * maximum:.2f}" if result.max_total else "0.00"
        if "Last modified (grade)" in col:
            row[col["Last modified (grade)"]] = stamp
        if "Feedback comments" in col:
            row[col["Feedback comments"]] = _comment(result)
        filled += 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), filled


def feedback_zip(path: Path, results: list[Result], reports: Path) -> int:
    """``Full Name_123_assignfeedback_file/report.html`` for every student with a Moodle id; the count."""
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for moodle_id, (student, name) in sorted(moodle_ids(results).items()):
            report = reports / f"{student}.html"
            if report.is_file():
                archive.write(report, f"{name}_{moodle_id}_assignfeedback_file/report.html")
                count += 1
    return count
