"""The shipped examples get the marks a careful marker would give, in every output format."""
from __future__ import annotations

import html
import json

import statistics

import pandas as pd
import pytest

from grader.render.html import fmt
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.slow

# student -> points of question1..question5 (4 and 5 are marked by hand: 0 until imported);
# see each folder's mistakes in the README.
EXPECTED = {
    "alice_correct": (15, 25, 20, 0, 0),
    "bob_matmul": (12, 25, 17, 0, 0),  # no torch.einsum in the source or at run time: -1 per function; Q3: 3 channels,
    # conv1 kept (-3)
    "carol_wrong_shape": (11, 25, 19, 0, 0),  # aggregate keeps the summed dimension (-4); batch_size 32 (-1)
    "dave_transposed_grad": (15, 21, 16, 0, 0),  # dW1 transposed (-4); resnet18() without its weights (-4)
    "erin_autograd": (15, 22, 16, 0, 0),  # autograd in backward (-2 source, -1 trace); no log dict (-4)
    "frank_syntax_error": (0, 25, 0, 0, 0),  # question1.py does not parse; question3.py crashes at import
    # aggregate named aggregate_through_3rd_dim: graded under that name, 25% of its 5 points deducted (-1.25);
    # no PDF (-2); no question 3
    "grace_missing_function": (13.75, 23, 0, 0, 0),
}
QUESTIONS = ["question1", "question2", "question3", "question4", "question5"]


def test_every_example_is_graded_with_exit_code_zero(graded_examples):
    code, out = graded_examples
    assert code == 0
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == sorted(EXPECTED)
    assert len(EXPECTED) == len([p for p in EXAMPLES.iterdir() if p.is_dir()])


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_marks_per_question(graded_examples, student):
    _, out = graded_examples
    result = json.loads((out / "results" / f"{student}.json").read_text())
    assert [q["points"] for q in result["questions"]] == list(EXPECTED[student])
    assert result["total"] == sum(EXPECTED[student])


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_result_json_schema(graded_examples, student):
    _, out = graded_examples
    result = json.loads((out / "results" / f"{student}.json").read_text())
    assert isinstance(result["student"], str) and result["student"] == student
    assert result["assignment"] == "comp4901y-hw1"
    assert result["max_total"] == 100.0
    assert isinstance(result["grader_version"], str) and result["grader_version"]
    assert "process-group" in result["sandbox"]
    assert [q["id"] for q in result["questions"]] == QUESTIONS
    for q in result["questions"]:
        assert set(q) >= {"id", "points", "max_points", "checks"}
        assert q["points"] == pytest.approx(sum(c["points"] for c in q["checks"]))
        for c in q["checks"]:
            assert set(c) >= {"id", "kind", "points", "max_points", "status", "message"}
            assert c["status"] in {"pass", "partial", "fail", "error", "manual"}
            assert 0 <= c["points"] <= c["max_points"]
            assert c["message"]


def test_marks_csv(graded_examples):
    _, out = graded_examples
    frame = pd.read_csv(out / "marks.csv")
    assert list(frame.columns) == ["student", *QUESTIONS, "total"]
    for student, marks in EXPECTED.items():
        row = frame[frame.student == student].iloc[0]
        assert [row[q] for q in QUESTIONS] + [row.total] == [*marks, sum(marks)]


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_report_shows_every_check_message(graded_examples, student):
    _, out = graded_examples
    result = json.loads((out / "results" / f"{student}.json").read_text())
    page = (out / "reports" / f"{student}.html").read_text()
    for q in result["questions"]:
        for c in q["checks"]:
            assert c["message"] in html.unescape(page)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_report_draws_both_loss_curves(graded_examples):
    _, out = graded_examples
    page = (out / "reports" / "alice_correct.html").read_text()
    for row_id in ("question2-loss_curve", "question3-loss_log"):  # the MLP's run; the script's log['loss']
        row = page[page.index(f'<tr id="{row_id}">'):]
        row = row[:row.index("</tr>")]
        assert row.count("<polyline") == 2
        assert ">student</text>" in row and ">reference</text>" in row


def test_class_summary(graded_examples):
    _, out = graded_examples
    page = (out / "index.html").read_text()
    assert "<svg" in page and "histogram of totals" in page
    for student in EXPECTED:
        assert f'href="reports/{student}.html"' in page
    q1 = [v[0] for v in EXPECTED.values()]
    q2 = [v[1] for v in EXPECTED.values()]
    for stat in (fmt(statistics.fmean(q1)), fmt(statistics.median(q1)), fmt(statistics.fmean(q2)), fmt(max(q2))):
        assert f'<td class="num">{stat}</td>' in page


def test_messages_a_student_can_act_on(graded_examples):
    _, out = graded_examples

    def messages(student):
        result = json.loads((out / "results" / f"{student}.json").read_text())
        return {c["id"]: c["message"] for q in result["questions"] for c in q["checks"]}

    assert "shape (1, 3, 1, 5), expected (1, 3, 5)" in messages("carol_wrong_shape")["aggregate.values"]
    grace = messages("grace_missing_function")["aggregate.values"]
    assert grace.endswith("25% of this check's points deducted for leaving the handout's interface: "
                          "`aggregate_through_3rd_dim` was graded as `aggregate_4d_tensor_through_3rd_dim`, the name "
                          "the handout asks for")
    frank = messages("frank_syntax_error")["elementwise.values"]
    assert "syntax error" in frank and "line 8" in frank and "def batch_transposed_matrix_multiplication(a, b)" in frank
    dave = messages("dave_transposed_grad")["gradient.W1"]
    assert "dW1" in dave and "expected (" in dave
    assert "Tensor.backward" in messages("erin_autograd")["no_autograd.trace"]
    assert "line 27" in messages("erin_autograd")["no_autograd.source"]
