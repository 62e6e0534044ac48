"""Moodle's grading worksheet and feedback-files zip, read and written as Moodle 4.5 writes and imports them.

The fixtures in tests/fixtures/moodle are shaped as Moodle writes them: a UTF-8 BOM, PHP fputcsv
quoting, "Participant N" ids, the status texts and dates of a real export; one in English, one with
a German header, decimal commas and an "Online text" column. ``moodle_import`` below follows
assignfeedback_offline's importer: it finds its columns by their exact names, strips the
"Participant " prefix, and skips grades above the maximum or older than Moodle's.
"""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest

from grader.render.html import write_report
from grader.lms.moodle_feedback import feedback_zip
from grader.lms.worksheet import WorksheetError, fill_worksheet
from grader.results import Result
from grader.store import BatchStore
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "moodle"
NOW = datetime(2026, 11, 25, 9, 5)
TOTALS = {"Ada Correct_1234567": 10, "Bob ONeil_1234568": 8, "Zoë Núñez_1234569": 9, "Dan Auto_1234570": 8,
          "Fay Locked_1234572": 10}


def _result(student: str, total: float, max_total: float = 10) -> Result:
    return Result.model_validate({
        "student": student, "assignment": "mlg-tutorial3", "total": total, "max_total": max_total, "sandbox": [],
        "grader_version": "0", "questions": [{"id": "tutorial3", "title": "Tutorial <3>", "points": total,
                                              "max_points": max_total, "checks": []}]})


def _results() -> list[Result]:
    return [_result(student, total) for student, total in TOTALS.items()]


def moodle_import(text: str, maximum: float = 50.0) -> dict[str, str]:
    """``{participant id: grade}`` that Moodle's offline importer would apply (English strings, C locale)."""
    assert text.startswith("\ufeff"), "Moodle reads the BOM it wrote"
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    header = rows[0]
    grade, ident, modified = header.index("Grade"), header.index("Identifier"), header.index("Last modified (grade)")
    imported = {}
    for row in rows[1:]:
        value = row[grade]
        if value == "" or float(value) > maximum or float(value) < 0:
            continue  # Moodle skips these without a word
        datetime.strptime(row[modified], "%A, %d %B %Y, %I:%M %p")  # strtotime must read it
        imported[row[ident][len("Participant "):]] = value
    return imported


def test_moodle_45_worksheet_is_filled_scaled_and_imports_whole():
    source = (FIXTURES / "grading_worksheet_en.csv").read_text(encoding="utf-8")
    text, filled, locked = fill_worksheet(FIXTURES / "grading_worksheet_en.csv", _results(), now=NOW)
    assert filled == 4 and locked == ["Fay Locked_1234572"]
    before, after = source.splitlines(), text.splitlines()
    assert after[0] == before[0], "header (with its BOM) byte for byte"
    for old, new in zip(before, after):
        if "Eve Absent" in old or "Fay Locked" in old:
            assert new == old, "rows not graded here are written back as they came"
    imported = moodle_import(text)
    assert imported == {"1234567": "50.00", "1234568": "40.00", "1234569": "45.00", "1234570": "40.00",
                        "1234572": "42.50"}, "every grade scaled to the maximum of 50, none skipped"
    rows = {r["Identifier"]: r for r in csv.DictReader(io.StringIO(text[1:], newline=""))}
    ada = rows["Participant 1234567"]
    assert ada["Last modified (grade)"] == "Wednesday, 25 November 2026, 9:05 AM"
    assert ada["Feedback comments"].startswith("Total 10 / 10. Tutorial &lt;3&gt;: 10 / 10.")
    hostile = rows["Participant 1234573"]
    assert hostile["Full name"] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert hostile["Email address"] == "'-2+3@uni.example" and hostile["Grade"] == ""


def test_case_and_bom_do_not_matter(tmp_path):
    source = (FIXTURES / "grading_worksheet_en.csv").read_text(encoding="utf-8").removeprefix("\ufeff")
    header, rest = source.split("\n", 1)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text(header.upper() + "\n" + rest, encoding="utf-8")
    text, filled, locked = fill_worksheet(sheet, _results(), now=NOW)
    assert not text.startswith("\ufeff") and text.split("\n", 1)[0] == header.upper()
    assert filled == 4 and locked == ["Fay Locked_1234572"]
    grades = {r["IDENTIFIER"]: r["GRADE"] for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert grades["Participant 1234569"] == "45.00"


def test_translated_worksheet_is_read_by_column_order():
    source = (FIXTURES / "grading_worksheet_de_onlinetext.csv").read_text(encoding="utf-8")
    text, filled, locked = fill_worksheet(FIXTURES / "grading_worksheet_de_onlinetext.csv", _results(), now=NOW)
    assert filled == 2 and locked == []
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    header = rows[0]
    assert header == next(csv.reader(io.StringIO(source[1:], newline=""))), "the German header is kept"
    by_id = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    ada, bob = by_id["Teilnehmer/in 1234567"], by_id["Teilnehmer/in 1234568"]
    assert ada["Bewertung"] == "50,00" and bob["Bewertung"] == "40,00", "the sheet's decimal comma"
    assert ada["Zuletzt geändert (Bewertung)"] == "Wednesday, 25 November 2026, 9:05 AM"
    assert ada["Feedback als Kommentar"].startswith("Total 10 / 10.")
    assert ada["Online-Texteingabe"] == "<p>Siehe Datei, danke.</p>\n<p>Zweite Zeile</p>"
    assert text.splitlines()[-1] == source.splitlines()[-1], "Eve's row as it came"


def test_a_grade_moodle_would_skip_is_refused_not_written():
    results = _results() + [_result("Eve Absent_1234571", total=11)]  # bonus points over the maximum
    with pytest.raises(WorksheetError, match="Eve Absent_1234571: total 11 is outside 0..10; Moodle would skip it"):
        fill_worksheet(FIXTURES / "grading_worksheet_en.csv", results, now=NOW)


def test_scales_and_other_csvs_are_refused(tmp_path):
    scale = tmp_path / "scale.csv"
    source = (FIXTURES / "grading_worksheet_en.csv").read_text(encoding="utf-8")
    scale.write_text(source.replace('"Maximum grade"', "Scale", 1), encoding="utf-8")
    with pytest.raises(WorksheetError, match="graded with a scale"):
        fill_worksheet(scale, _results(), now=NOW)
    other = tmp_path / "other.csv"
    other.write_text("name,mark\nada,3\n", encoding="utf-8")
    with pytest.raises(WorksheetError, match="not a Moodle grading worksheet"):
        fill_worksheet(other, _results(), now=NOW)


def moodle_feedback_import(names: list[str]) -> dict[str, str]:
    """``{participant id: file}`` as assignfeedback_file's zip importer reads each path."""
    found = {}
    for name in names:
        parts = name.split("/")
        while parts:
            info = parts.pop(0).split("_", 4)
            if len(info) >= 4 and info[1].isdigit() and (info[2], info[3]) == ("assignfeedback", "file"):
                found[info[1]] = "/".join([info[4] if len(info) > 4 else "", *parts]).lstrip("/")
                break
    return found


def test_feedback_zip_names_round_trip_through_moodles_importer(tmp_path):
    results = _results() + [_result("Ann_Lee_1234574", 5)]  # a folder name with underscores, not from Moodle
    store = BatchStore(tmp_path)
    for result in results:
        write_report(store.report_path(result.student), result)
    assert feedback_zip(tmp_path / "feedback.zip", results, store) == 6
    with zipfile.ZipFile(tmp_path / "feedback.zip") as archive:
        names = archive.namelist()
        assert "Bob ONeil_1234568_assignfeedback_file/report.html" in names
        assert "Zoë Núñez_1234569_assignfeedback_file/report.html" in names
        assert archive.getinfo("Zoë Núñez_1234569_assignfeedback_file/report.html").flag_bits & 0x800, "UTF-8 names"
    assert moodle_feedback_import(names) == {r.student.rsplit("_", 1)[1]: "report.html" for r in results}
