"""Moodle's offline grading worksheet, filled in as Moodle's own importer expects it.

Moodle 4.5 ("Download grading worksheet") writes a UTF-8 BOM, then PHP ``fputcsv`` lines (a
field is quoted when it holds a space, comma, quote, backslash, tab or line break), and this
header when the teacher's language is English::

    Identifier,"Full name","Email address",Status,Grade,"Maximum grade","Grade can be changed",
    "Last modified (submission)","Last modified (grade)","Feedback comments"

Other identity fields may follow "Full name", "Online text" may follow "Last modified
(submission)", and team, marker, workflow and outcome columns appear with those features. The
importer (``assignfeedback_offline``) finds its columns by their names in the teacher's
language, reads "Participant 123" as the id, skips a grade above "Maximum grade" silently, and
skips a row whose "Last modified (grade)" is older than the grade Moodle holds.

So: columns are found by name in any case, or, in a translated worksheet, by Moodle's fixed
order; grades are the total scaled to each row's maximum, written with that cell's decimal
separator and places; a grade that could exceed the maximum stops the export with an error;
rows Moodle says cannot be changed are left alone. Cells Moodle does not import (names, e-mail,
status, online text: what students control) are neutralised for spreadsheets (``safe_cell``);
the cells Moodle imports are written back as they came.
"""
from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader.render.html import fmt
from grader.lms.moodle_names import moodle_ids
from grader.render.spreadsheet import safe_cell
from grader.results import Result

BOM = "\ufeff"
COLUMNS = {"identifier": "identifier", "grade": "grade", "maximum": "maximum grade",
           "changeable": "grade can be changed", "modified": "last modified (grade)",
           "feedback": "feedback comments", "scale": "scale"}
ID = re.compile(r"(\d+)\s*$")
NUMBER = re.compile(r"^\s*-?\d+(?:([.,])(\d+))?\s*$")
DATE_LIKE = re.compile(r"\d{4}.*\d{1,2}[:.h]\d{2}|\d{1,2}[:.h]\d{2}.*\d{4}")
_NEEDS_QUOTES = re.compile(r'[ ,"\\\t\r\n]')


class WorksheetError(ValueError):
    """The worksheet cannot be filled without Moodle skipping or misreading a grade."""


@dataclass
class Worksheet:
    """A grading worksheet as read: its rows and where Moodle's columns are."""

    rows: list[list[str]]
    columns: dict[str, int]
    bom: bool


def php_csv_line(cells: list[str]) -> str:
    """One line as PHP's ``fputcsv`` (and so Moodle) writes it."""
    return ",".join('"' + c.replace('"', '""') + '"' if _NEEDS_QUOTES.search(c) else c for c in cells) + "\n"


def _numbers(rows: list[list[str]], col: int, blank_ok: bool) -> bool:
    cells = [row[col] for row in rows]
    return all(NUMBER.match(c) or (blank_ok and c.strip() in ("", "-")) for c in cells)


def _by_order(header: list[str], rows: list[list[str]]) -> dict[str, int]:
    """Columns of a translated worksheet from Moodle's fixed order (Identifier first; Grade just before
    Maximum grade, whose cells all hold one number; Last modified (grade) the second column of dates
    after it; feedback right after that)."""
    if not rows:
        raise WorksheetError("the worksheet has no rows to grade")
    found = {"identifier": 0}
    for col in range(2, len(header)):
        same = {row[col].strip() for row in rows}
        if len(same) == 1 and _numbers(rows, col, blank_ok=False) and _numbers(rows, col - 1, blank_ok=True):
            found.update(grade=col - 1, maximum=col)
            break
    else:
        raise WorksheetError("no Grade and Maximum grade columns (by name or by Moodle's column order)")
    dates = [col for col in range(found["maximum"] + 1, len(header))
             if all(row[col].strip() == "-" or DATE_LIKE.search(row[col]) for row in rows)]
    if len(dates) < 2:
        raise WorksheetError("no 'Last modified (grade)' column (by name or by Moodle's column order)")
    found["modified"] = dates[1]
    if dates[1] + 1 < len(header):
        found["feedback"] = dates[1] + 1
    return found


def read_worksheet(path: Path) -> Worksheet:
    """Read a worksheet with or without BOM; find its columns by name (any case) or by Moodle's order."""
    text = path.read_text(encoding="utf-8")
    bom = text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))
    if not rows:
        raise WorksheetError(f"{path}: empty, not a Moodle grading worksheet")
    header = rows[0]
    names = [h.strip().casefold() for h in header]
    data = [row for row in rows[1:] if len(row) == len(header)]
    columns = {key: names.index(name) for key, name in COLUMNS.items() if name in names}
    if "scale" in columns:
        raise WorksheetError(f"{path}: the assignment is graded with a scale; set a numeric 'Maximum grade' in "
                             "Moodle to import points")
    if not {"identifier", "grade", "maximum", "modified"} <= set(columns):
        try:
            columns = {**_by_order(header, data), **{k: v for k, v in columns.items() if k == "changeable"}}
        except WorksheetError as exc:
            raise WorksheetError(f"{path}: not a Moodle grading worksheet: {exc}") from None
    return Worksheet(rows=rows, columns=columns, bom=bom)


def moodle_date(when: datetime) -> str:
    """``Monday, 23 November 2026, 9:00 AM``: Moodle's English ``strftimedaydatetime``, which PHP's strtotime reads."""
    return f"{when:%A}, {when.day} {when:%B %Y}, {int(when.strftime('%I'))}:{when:%M %p}"


def feedback_comment(result: Result) -> str:
    """The "Feedback comments" cell: the total and each question's points (HTML, as Moodle stores it)."""
    parts = [f"{q.title or q.id}: {fmt(q.points)} / {fmt(q.max_points)}" for q in result.questions]
    pending = sum(c.status == "manual" for q in result.questions for c in q.checks)
    tail = f" {pending} checks are still to be marked by hand." if pending else ""
    return html.escape(f"Total {fmt(result.total)} / {fmt(result.max_total)}. " + "; ".join(parts) + "." + tail
                       + " The attached report.html explains every check.", quote=False)


def scaled_grade(result: Result, maximum_cell: str) -> str:
    """The total scaled to the row's maximum, in that cell's format (``80.00``, ``80,00``)."""
    match = NUMBER.match(maximum_cell)
    if match is None:
        raise WorksheetError(f"{result.student}: 'Maximum grade' is {maximum_cell!r}, not a number")
    separator, decimals = match.group(1) or ".", len(match.group(2) or "")
    maximum = float(maximum_cell.strip().replace(",", "."))
    if not 0 <= result.total <= result.max_total + 1e-9 or result.max_total <= 0:
        raise WorksheetError(f"{result.student}: total {fmt(result.total)} is outside 0..{fmt(result.max_total)}; "
                             "Moodle would skip it")
    grade = min(maximum, round(result.total / result.max_total * maximum, decimals))
    return f"{grade:.{decimals}f}".replace(".", separator)


def fill_worksheet(path: Path, results: list[Result], now: datetime | None = None) -> tuple[str, int, list[str]]:
    """The worksheet's text with grades, dates and feedback filled; rows filled; students left alone (locked)."""
    sheet = read_worksheet(path)
    col = sheet.columns
    by_student = {r.student: r for r in results}
    by_id = {moodle_id: by_student[student] for moodle_id, (student, _) in moodle_ids(results).items()}
    stamp = moodle_date(now or datetime.now())
    filled, locked, lines = 0, [], []
    imported = {col["identifier"], col["grade"], col["maximum"]}  # with every column from the date on: Moodle's
    for number, row in enumerate(sheet.rows):
        match = ID.search(row[col["identifier"]]) if number and len(row) == len(sheet.rows[0]) else None
        result = by_id.get(match.group(1)) if match else None
        if result is not None and "changeable" in col and row[col["changeable"]].strip().casefold() == "no":
            locked.append(result.student)
        elif result is not None:
            row[col["grade"]] = scaled_grade(result, row[col["maximum"]])
            row[col["modified"]] = stamp
            if "feedback" in col:
                row[col["feedback"]] = feedback_comment(result)
            filled += 1
        lines.append(php_csv_line([cell if c in imported or c >= col["modified"] else safe_cell(cell)
                                   for c, cell in enumerate(row)]))
    return (BOM if sheet.bom else "") + "".join(lines), filled, locked
