"""CSV injection: every CSV a spreadsheet opens neutralises formula cells and keeps numbers numbers."""
from __future__ import annotations

import csv

import pytest

from grader.cli import main
from grader.commands.sheet import write_marks_template
from grader.render.csv import write_marks_csv
from grader.render.html import write_report
from grader.render.spreadsheet import safe_cell, unquote_cell
from grader.results import Result
from grader.store import BatchStore

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
            '=HYPERLINK("http://evil.example","click")']


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_cells_get_a_leading_quote_and_come_back(text):
    assert safe_cell(text) == "'" + text
    assert unquote_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", [3, -2.5, 0.0, "-2.5", "+1", "80.00", "80,00", "-", "Ada Correct", "'already quoted",
                                   "", "1e-3"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert safe_cell(value) == value
    if isinstance(value, str):
        assert unquote_cell(value) == value


def _result(student: str, total: float = 1.5) -> Result:
    return Result.model_validate({
        "student": student, "assignment": "a", "total": total, "max_total": 4.0, "sandbox": [], "grader_version": "0",
        "questions": [{"id": "q1", "points": total, "max_points": 4.0, "checks": [
            {"id": "auto", "kind": "value", "points": total, "max_points": 2.0, "status": "partial", "message": "m"},
            {"id": "essay", "kind": "manual", "points": 0.0, "max_points": 2.0, "status": "manual",
             "message": "waiting for a marker"}]}]})


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_marks_csv_quotes_formula_names_and_keeps_numbers(tmp_path):
    results = [_result(name) for name in FORMULAS] + [_result("-1"), _result("alice", total=2.0)]
    rows = _rows(write_marks_csv(tmp_path / "marks.csv", results))
    assert [r["student"] for r in rows] == ["'" + name for name in FORMULAS] + ["-1", "alice"]
    assert all(float(r["total"]) == float(r["q1"]) for r in rows), "points stay plain numbers"


def test_marker_template_round_trips_formula_names(tmp_path):
    names = ["=1+1", "@SUM(A1:A9)", "'=literal quote", "bob"]
    store = BatchStore(tmp_path)
    for name in names:
        result = _result(name)
        store.save(result)
        write_report(store.report_path(result.student), result)
    template = tmp_path / "marks_to_enter.csv"
    write_marks_template(template, [r.student for r in store.load_all()], [q for q in store.load_all()[0].questions])
    rows = _rows(template)
    assert {r["student"] for r in rows} == {"'=1+1", "'@SUM(A1:A9)", "'=literal quote", "bob"}
    with template.open("w", encoding="utf-8", newline="") as handle:  # the marker fills in the points
        writer = csv.writer(handle)
        writer.writerow(["student", "check", "points", "comment"])
        writer.writerows([r["student"], r["check"], "2", "=good" if r["check"] == "q1/essay" else ""]
                         for r in rows if r["check"] == "q1/essay")
    assert main(["marks", "import", str(template), "--out", str(tmp_path)]) == 0
    marked = {r.student: r.total for r in store.load_all()}
    assert marked == {name: 3.5 for name in names}
    assert {r["student"] for r in _rows(tmp_path / "marks.csv")} == {"'=1+1", "'@SUM(A1:A9)", "'=literal quote", "bob"}
