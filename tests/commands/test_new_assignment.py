"""An instructor's own assignment in a course folder: found first, graded, manual marks imported."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from grader.cli import main

pytestmark = pytest.mark.slow

RUBRIC = """\
assignment: toy
seed: 7
questions:
  - id: question1
    checks:
      - id: scale
        kind: value
        call: scale
        args: [{tensor: [n, m]}, 3.0]
        dims: {n: [1, 2, 5], m: [1, 3]}
        trials: 4
        points: 4
      - id: writes_einsum
        kind: source
        within: [scale]
        require: [{call: torch.einsum}]
        points: 1
      - id: explanation
        kind: manual
        instructions: "a sentence on why einsum"
        points: 5
"""

REFERENCE = "import torch\ndef scale(x, k):\n    return torch.einsum('ij->ij', x) * k\n"


def make_course(root: Path) -> None:
    (root / "rubrics").mkdir(parents=True)
    (root / "rubrics" / "toy.yaml").write_text(RUBRIC)
    (root / "reference" / "toy").mkdir(parents=True)
    (root / "reference" / "toy" / "question1.py").write_text(REFERENCE)
    students = {
        "ann": REFERENCE,
        "ben": "import torch\ndef scale(x, k):\n    return x * k\n",
        "cat": "import torch\ndef scale(x, k):\n    return torch.einsum('ij->ji', x) * k\n",
    }
    for name, code in students.items():
        (root / "subs" / name).mkdir(parents=True)
        (root / "subs" / name / "question1.py").write_text(code)


def test_toy_assignment_end_to_end(tmp_path, monkeypatch, capsys):
    make_course(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "toy"]) == 0
    assert main(["reference", "toy"]) == 0
    assert "5 more are marked by hand" in capsys.readouterr().out
    assert main(["batch", "toy", "subs", "--out", "out"]) == 0
    results = {p.stem: json.loads(p.read_text()) for p in (tmp_path / "out" / "results").glob("*.json")}
    points = {s: {c["id"]: c["points"] for c in r["questions"][0]["checks"]} for s, r in results.items()}
    assert points["ann"] == {"scale": 4, "writes_einsum": 1, "explanation": 0}
    assert points["ben"] == {"scale": 4, "writes_einsum": 0, "explanation": 0}
    # cat transposes: right only on trials where the transpose changes nothing (a 1x1 input)
    assert points["cat"]["writes_einsum"] == 1 and points["cat"]["scale"] < 4
    assert results["ann"]["questions"][0]["checks"][2]["status"] == "manual"

    marks = tmp_path / "marks.csv"
    marks.write_text(textwrap.dedent("""\
        student,check,points,comment
        ann,question1/explanation,5,clear
        ben,question1/explanation,2.5,
    """))
    assert main(["marks", "import", str(marks), "--out", "out"]) == 0
    ann = json.loads((tmp_path / "out" / "results" / "ann.json").read_text())
    assert ann["total"] == 10 and ann["questions"][0]["checks"][2]["status"] == "pass"
    assert "marked by hand: 5 / 5 — clear" in (tmp_path / "out" / "reports" / "ann.html").read_text()
    assert "ben,6.5,6.5" in (tmp_path / "out" / "marks.csv").read_text()

    marks.write_text("student,check,points\nann,question1/scale,1\n")
    assert main(["marks", "import", str(marks), "--out", "out"]) == 2
    assert "only manual checks take marks" in capsys.readouterr().out


def test_reference_cache_follows_the_reference_files(tmp_path, monkeypatch):
    from grader.assignments import find_assignment
    from grader.plan import GradingPlan
    from grader.reference_cache import reference_key

    make_course(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = reference_key(GradingPlan.build(find_assignment("toy")))
    (tmp_path / "reference" / "toy" / "question1.py").write_text(REFERENCE + "\n# edited\n")
    assert reference_key(GradingPlan.build(find_assignment("toy"))) != before


def test_usage_errors_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "no-such-assignment", "subs"]) == 2
    assert "no assignment 'no-such-assignment'" in capsys.readouterr().out
    shipped = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(shipped)  # the project's own folder is both places a name is looked for: said once
    assert main(["batch", "no-such-assignment", "subs"]) == 2
    message = capsys.readouterr().out
    assert message.count("no-such-assignment.yaml") == 1, message
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "comp4901y-hw1", str(tmp_path / "missing")]) == 2
    assert main(["batch", "comp4901y-hw1", str(tmp_path), "--device", "tpu"]) == 2
    assert main(["frobnicate"]) == 2


@pytest.mark.parametrize("verb", ["batch", "bundle", "gradescope"])
def test_a_reference_that_does_not_import_stops_with_its_error(tmp_path, monkeypatch, capsys, verb):
    make_course(tmp_path)
    (tmp_path / "reference" / "toy" / "question1.py").write_text("def scale(x, k)\n    return x\n")
    (tmp_path / "starter" / "toy").mkdir(parents=True)
    (tmp_path / "starter" / "toy" / "question1.py").write_text("def scale(x, k):\n    raise NotImplementedError\n")
    (tmp_path / "subs" / "someone").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    args = {"batch": ["batch", "toy", "subs", "--out", "marks"], "bundle": ["bundle", "toy", "--out", "handout"],
            "gradescope": ["gradescope", "toy", "--out", "autograder.zip"]}[verb]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "the reference solution of toy does not import: question1:" in out and "SyntaxError" in out
