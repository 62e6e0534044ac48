"""The marker's sheet: answer keys computed by the reference, and the marks template round trip."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from grader.authoring.answer_keys import compute_answer_keys
from grader.assignments import find_assignment
from grader.cli import main

X1, X2 = 2.0, 4.0


def _value(table, label: str):
    return next(row[3] for row in table.rows if row[2] == label)


def test_question4_keys_match_the_jacobian_by_hand():
    keys = compute_answer_keys(find_assignment("comp4901y-hw1"))
    assert not any(k.problem for k in keys.values())
    dy1 = 2 * (X1 + X2)  # dy1/dx1 = dy1/dx2
    dy2_dx1, dy2_dx2 = 2 * (X1 - X2), -2 * (X1 - X2)
    assert (_value(keys["question4/table1"], "dot y_1"), _value(keys["question4/table1"], "dot y_2")) == (dy1, dy2_dx1)
    assert (_value(keys["question4/table2"], "dot y_1"), _value(keys["question4/table2"], "dot y_2")) == (dy1, dy2_dx2)
    table3, table4 = keys["question4/table3"], keys["question4/table4"]
    assert (_value(table3, "x1_bar = v_-1_bar"), _value(table3, "x2_bar = v_0_bar")) == (dy1, dy1)
    assert (_value(table4, "x1_bar = v_-1_bar"), _value(table4, "x2_bar = v_0_bar")) == (dy2_dx1, dy2_dx2)
    primals = {row[0]: row[1] for row in keys["question4/table1"].rows}
    assert primals["v_3 = v_1^2"] == (X1 + X2) ** 2 and primals["v_4 = v_2^2"] == (X1 - X2) ** 2


@pytest.mark.slow
def test_sheet_and_marks_template_round_trip(graded_examples, tmp_path):
    _, graded = graded_examples
    out = tmp_path / "marks"
    shutil.copytree(graded, out)
    assert main(["sheet", "comp4901y-hw1", "--out", str(tmp_path / "sheet"), "--marks-from", str(out)]) == 0
    page = (tmp_path / "sheet" / "sheet.html").read_text()
    assert "Table 3: reverse mode" in page and "x1_bar = v_-1_bar" in page and "dL/dW = X^T dL/dY" in page
    with (tmp_path / "sheet" / "marks_to_enter.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7 * 5 and {r["check"] for r in rows} == {
        "question4/table1", "question4/table2", "question4/table3", "question4/table4", "question5/proof"}
    for row in rows:
        row["points"] = "7.5" if row["check"].startswith("question4") else "6"
    with (tmp_path / "filled.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "check", "points", "comment"])
        writer.writeheader()
        writer.writerows(rows)
    assert main(["marks", "import", str(tmp_path / "filled.csv"), "--out", str(out)]) == 0
    alice = json.loads((out / "results" / "alice_correct.json").read_text())
    assert [q["points"] for q in alice["questions"]] == [15, 25, 20, 30, 6]
    assert alice["total"] == 96
