"""``grade audit``: a weak rubric gets its survivors reported; the shipped rubric passes."""
from __future__ import annotations

import json

import pytest

from grader.cli import main

pytestmark = pytest.mark.slow

REFERENCE = "import torch\n\n\ndef scale(x):\n    return 2 * x.sum(dim=1)\n"

WEAK = """\
assignment: toy
questions:
  - id: question1
    checks:
      - id: writes_torch
        kind: source
        within: [scale]
        require: [{method: sum}]
        points: 1
"""

STRONG = WEAK + """\
      - id: values
        kind: value
        call: scale
        args: [{tensor: [n, m]}]
        dims: {n: [2, 3], m: [3, 4]}
        trials: 2
        points: 3
"""


def course(root, rubric: str):
    (root / "rubrics").mkdir(parents=True)
    (root / "rubrics" / "toy.yaml").write_text(rubric)
    (root / "reference" / "toy").mkdir(parents=True)
    (root / "reference" / "toy" / "question1.py").write_text(REFERENCE)


def test_weak_rubric_reports_its_survivors(tmp_path, monkeypatch, capsys):
    course(tmp_path, WEAK)
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "toy", "--seeds", "2", "--json", "audit.json"]) == 1
    out = capsys.readouterr().out
    assert "survivor question1 line 5 (scale): factor of 2 dropped" in out
    assert "does not pass" in out
    report = json.loads((tmp_path / "audit.json").read_text())
    mutants = report["questions"][0]["mutants"]
    survivors = [m for m in mutants if m["status"] == "survived"]
    assert {m["description"] for m in survivors} >= {"factor of 2 dropped", "reduction over dim 2 instead of 1"}
    assert all(m["diff"].startswith("--- reference") for m in survivors)
    assert all(m["should_catch"] == [] for m in survivors)  # no check calls scale
    assert "survived" in (tmp_path / "audit" / "audit.html").read_text()


def test_value_checks_kill_the_same_mutants(tmp_path, monkeypatch, capsys):
    course(tmp_path, STRONG)
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "toy", "--seeds", "2", "--json", "audit.json"]) == 0
    report = json.loads((tmp_path / "audit.json").read_text())
    statuses = {m["description"]: m["status"] for m in report["questions"][0]["mutants"]}
    assert statuses["factor of 2 dropped"] == "killed"
    assert statuses["returned tensor detached from the graph"] == "equivalent", "no input requires grad here"
    assert [s["failing"] for s in report["seeds"]] == [[], []]
    variants = {v["name"]: v["status"] for v in report["variants"]}
    assert variants == {"dim-by-position": "full marks", "float64": "full marks"}
    assert report["inputs"] == []


def test_a_tolerance_too_tight_for_another_correct_order_of_operations_is_a_false_negative(tmp_path, monkeypatch,
                                                                                            capsys):
    course(tmp_path, STRONG.replace("        points: 3\n", "        points: 3\n        tolerance: {rtol: 0, atol: 0}\n"))
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "toy", "--seeds", "1", "--json", "audit.json"]) == 1
    report = json.loads((tmp_path / "audit.json").read_text())
    assert all(q["mutants"] for q in report["questions"])
    lost = {v["name"]: v["lost"] for v in report["variants"] if v["status"] == "loses marks"}
    assert list(lost) == ["float64"] and "values differ" in lost["float64"][0]
    assert "correct variant loses marks question1: every public function computes in float64" in capsys.readouterr().out


def test_shipped_rubric_passes_its_audit(tmp_path, capsys):
    args = ["--out", str(tmp_path), "--json", str(tmp_path / "a.json"), "--mutants-only"]  # variants: the toys above
    assert main(["audit", "comp4901y-hw1", *args]) == 0
    report = json.loads((tmp_path / "a.json").read_text())
    assert len(report["seeds"]) == 3 and all(not s["failing"] for s in report["seeds"])
    for question in report["questions"]:
        mutants = question["mutants"]
        killed = sum(m["status"] == "killed" for m in mutants)
        equivalent = sum(m["status"] == "equivalent" for m in mutants)
        assert killed / (len(mutants) - equivalent) >= 0.9, question["id"]
        assert len(mutants) >= {"question3": 4}.get(question["id"], 9), "the script has fewer operators to mutate"
