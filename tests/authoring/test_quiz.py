"""`grade quiz`: Moodle XML and GIFT that follow Moodle's importer rules, answers recomputed independently."""
from __future__ import annotations

import base64
import math
import re
import xml.etree.ElementTree as ET

import pytest

from grader.cli import main
from grader.authoring.quiz.build import identical_variants, repeated_numericals
from grader.authoring.quiz.items import MOODLE_FRACTIONS, QuizItem

ALLOWED = {round(sign * f, 4) for f in MOODLE_FRACTIONS for sign in (1, -1)}


def _quiz(tmp_path, assignment: str, fmt: str = "moodle-xml", variants: int = 2) -> str:
    out = tmp_path / f"{assignment}.{'xml' if fmt == 'moodle-xml' else 'gift'}"
    assert main(["quiz", assignment, "--format", fmt, "--variants", str(variants), "--seed", "7",
                 "--spread-seeds", "3", "--out", str(out)]) == 0
    return out.read_text()


def _questions(text: str) -> list[tuple[str, ET.Element]]:
    """(category, question) pairs, checking Moodle's structural rules on the way."""
    root = ET.fromstring(text)
    assert root.tag == "quiz"
    category, found = None, []
    for question in root:
        if question.get("type") == "category":
            category = question.findtext("category/text")
            assert category.startswith("$course$/")
            continue
        assert category, "every question sits in a category"
        name = question.findtext("name/text")
        assert name and name.strip(), "every question has a name"
        body = question.find("questiontext")
        assert body.get("format") == "html"
        kind = question.get("type")
        answers = question.findall("answer")
        for answer in answers:
            assert round(float(answer.get("fraction")), 4) in ALLOWED, f"{name}: fraction {answer.get('fraction')}"
        if kind == "numerical":
            assert len(answers) == 1 and float(answers[0].findtext("tolerance")) >= 0
        if kind == "multichoice":
            assert len(answers) >= 2 and max(float(a.get("fraction")) for a in answers) == 100
        found.append((category, question))
    raw_texts = re.findall(r"<questiontext format=\"html\">\s*<text>(.{9})", text)
    assert raw_texts and all(t == "<![CDATA[" for t in raw_texts), "question text travels as CDATA"
    return found


def _number(question: ET.Element) -> float:
    return float(question.find("answer").findtext("text"))


def _asked(question: ET.Element) -> tuple:
    """What a student sees and what scores: the text, the picture, the right answer."""
    right = [a.findtext("text") for a in question.findall("answer") if float(a.get("fraction")) == 100]
    return question.findtext("questiontext/text"), question.findtext("questiontext/file"), right


def _by_name(questions, category_suffix: str) -> dict[str, ET.Element]:
    return {q.findtext("name/text"): q for c, q in questions if c.endswith(category_suffix)}


@pytest.mark.slow
def test_pset09_quiz_follows_moodle_rules_and_the_math(tmp_path):
    questions = _questions(_quiz(tmp_path, "pset09-autodiff"))
    for variant in ("variant 1", "variant 2"):
        items = _by_name(questions, variant)
        assert {"1.1 derivative", "1.3 df1/dx", "1.3 df2/dy", "1.4 trace gradient", "1.5 first derivative",
                "1.5 second derivative", "2.1 slope", "2.1 bias", "2.3 training minimum", "2.3 validation minimum",
                "2.4 test MSE final", "2.4 test MSE best", "2.5 momentum"} == set(items)
        text = items["1.1 derivative"].findtext("questiontext/text")
        x = float(re.search(r"at x = ([-\d.]+)\?", text).group(1))
        assert _number(items["1.1 derivative"]) == pytest.approx(4 * (5 - x) / ((5 - x) ** 2 + 4) ** 2, abs=1e-6)
        text = items["1.5 first derivative"].findtext("questiontext/text")
        s = 1 / (1 + math.exp(-float(re.search(r"at x = ([-\d.]+):", text).group(1))))
        assert _number(items["1.5 first derivative"]) == pytest.approx(s * (1 - s), abs=1e-6)
        assert _number(items["1.5 second derivative"]) == pytest.approx(s * (1 - s) * (1 - 2 * s), abs=1e-6)
        text = items["1.4 trace gradient"].findtext("questiontext/text")
        A = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text.split("A = ")[1].split(" and")[0])]
        assert _number(items["1.4 trace gradient"]) == pytest.approx(2 * A[2])  # (2 A^T)[0, 1] = 2 A[1, 0]
        slope = items["2.1 slope"]
        assert float(slope.find("answer").findtext("tolerance")) >= 0.0005, "spread plus rounding"
        assert "3 shuffles" in slope.findtext("generalfeedback/text")
        picture = items["2.5 momentum"].find("questiontext/file")
        assert picture.get("encoding") == "base64" and picture.get("name") == "momentum.png"
        assert base64.b64decode(picture.text)[:8] == b"\x89PNG\r\n\x1a\n"
        assert "@@PLUGINFILE@@/momentum.png" in items["2.5 momentum"].findtext("questiontext/text")
    first, second = _by_name(questions, "variant 1"), _by_name(questions, "variant 2")
    assert "at x = 2.0?" in first["1.1 derivative"].findtext("questiontext/text"), "variant 1 is the handout's"
    for name in first:  # every input is drawn anew: no question is asked twice (2.3 once repeated variant 1's)
        assert _asked(first[name]) != _asked(second[name]), name


def test_comp4901y_question4_cells_match_the_chain_rule(tmp_path):
    questions = _questions(_quiz(tmp_path, "comp4901y-hw1", variants=3))
    points = {re.search(r"at (x<sub>1</sub>.*?)\.", q.findtext("questiontext/text")).group(1) for _, q in questions}
    assert len(points) == 3, "three variants, three different points"
    for variant in ("variant 1", "variant 2", "variant 3"):
        items = _by_name(questions, variant)
        assert len(items) == 28
        text = items["Q4 Table 1 dot v_3"].findtext("questiontext/text")
        x1, x2 = (float(v) for v in re.search(r"x<sub>1</sub> = (-?\d+), x<sub>2</sub> = (-?\d+)", text).groups())
        assert _number(items["Q4 primal v_3"]) == (x1 + x2) ** 2
        assert _number(items["Q4 Table 1 dot v_4"]) == 2 * (x1 - x2)  # dy2/dx1
        assert _number(items["Q4 Table 2 dot v_4"]) == -2 * (x1 - x2)  # dy2/dx2
        assert _number(items["Q4 Table 3 x1_bar = v_-1_bar"]) == 2 * (x1 + x2)  # dy1/dx1
        assert _number(items["Q4 Table 4 x2_bar = v_0_bar"]) == -2 * (x1 - x2)  # dy2/dx2
        points = sum(float(q.findtext("defaultgrade")) for q in items.values())
        assert points == 30


def test_mlg_quiz_in_gift(tmp_path, capsys):
    text = _quiz(tmp_path, "mlg-tutorial3", fmt="gift", variants=1)
    printed = capsys.readouterr().out
    assert "note: GIFT has no per-question points or penalty" in printed
    assert "a variant totals 14 marks instead of the 12 points (penalty 0) that --format moodle-xml keeps" in printed
    assert text.startswith("$CATEGORY: $course$/mlg-tutorial3/variant 1")
    blocks = [b for b in text.split("\n\n") if b.startswith("::")]
    assert len(blocks) == 14
    grad = [b for b in blocks if b.startswith("::2 gradient of L, component")]
    # X = [[1,2,3],[4,5,6],[7,8,9]], w = [3,2,1], y = [2,4,8]: 2 X^T (Xw - y) = [28, 40, 52] * ... by hand:
    residual = [1 * 3 + 2 * 2 + 3 * 1 - 2, 4 * 3 + 5 * 2 + 6 - 4, 7 * 3 + 8 * 2 + 9 - 8]
    expected = [2 * sum(row[i] * r for row, r in zip([[1, 2, 3], [4, 5, 6], [7, 8, 9]], residual)) for i in range(3)]
    assert [float(re.search(r"\{#(-?[\d.]+):", b).group(1)) for b in grad] == expected
    for block in blocks:
        if "{=" in block:
            assert block.count("{=") == 1 and block.count("~") >= 1, "one right answer, at least one wrong"
    assert "{#0.1:" in text, "the SGD step size of the tutorial"


def test_items_refuse_what_moodle_would_reject():
    with pytest.raises(ValueError, match="grade fractions"):
        QuizItem(name="q", text="t", type="multichoice", choices=[{"text": "a", "fraction": 100},
                                                                 {"text": "b", "fraction": 42}])
    with pytest.raises(ValueError, match="at least 2 choices"):
        QuizItem(name="q", text="t", type="multichoice", choices=[{"text": "a", "fraction": 100}])
    with pytest.raises(ValueError, match="needs `answer` and `tolerance`"):
        QuizItem(name="q", text="t", type="numerical", answer=1.0)


def _item(name: str, answer: float, kind: str = "numerical") -> QuizItem:
    if kind == "essay":
        return QuizItem(name=name, text=f"<p>{name}?</p>", type="essay")
    return QuizItem(name=name, text=f"<p>{name} at 2?</p>", type="numerical", answer=answer, tolerance=0.001)


def test_identical_variants_and_repeated_questions_are_found():
    quiz = {"v1": [_item("a", 1.0), _item("why", 0, "essay")], "v2": [_item("a", 2.0), _item("why", 0, "essay")],
            "v3": [_item("a", 1.0), _item("why", 0, "essay")]}
    assert identical_variants(quiz) == [(1, 3)]
    assert repeated_numericals(quiz) == ["a (variants 1 and 3)"], "essays are the same in every variant by design"


def test_a_quiz_that_ignores_its_variant_is_refused_and_nothing_written(tmp_path, monkeypatch, capsys):
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "toy.yaml").write_text("assignment: toy\nquestions:\n  - id: question1\n    checks:\n"
                                                   "      - {id: essay, kind: manual, points: 1}\n")
    (tmp_path / "reference" / "toy").mkdir(parents=True)
    (tmp_path / "reference" / "toy" / "question1.py").write_text("")
    (tmp_path / "reference" / "toy" / "quiz.py").write_text(
        "def quiz_items(variant=1, seed=0, spread_seeds=50):\n"
        "    return [{'name': 'q', 'text': '<p>2 + 2?</p>', 'type': 'numerical', 'answer': 4.0, 'tolerance': 0}]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["quiz", "toy", "--variants", "3", "--out", "toy.xml"]) == 1
    assert "variants 1 and 2, 1 and 3, 2 and 3 are identical" in capsys.readouterr().out
    assert not (tmp_path / "toy.xml").exists()
