"""docs/new_course.md, built file by file in a temporary course folder, does what the page says."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.cli import main

pytestmark = pytest.mark.slow

PAGE = Path(__file__).resolve().parents[2] / "docs" / "new_course.md"
FENCE = re.compile(r"^```\w+ file=(\S+)( append)?\n(.*?)^```$", re.M | re.S)


def build_course(root: Path) -> list[str]:
    """Write every ``file=`` block of the page under ``root`` (``append`` blocks extend the file)."""
    written = []
    for path, append, body in FENCE.findall(PAGE.read_text()):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text((target.read_text() if append else "") + body)
        written.append(path)
    return written


def test_the_page_builds_a_course_that_validates_grades_and_passes_its_audit(tmp_path, monkeypatch, capsys):
    written = build_course(tmp_path)
    assert {"rubrics/bow.yaml", "reference/bow/question1.py", "starter/bow/question1.py", "starter/bow/utils.py",
            "drivers.py", "reference/bow/alternatives/embedding_transposed/question1.py"} <= set(written)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "bow", "--ops"]) == 0
    out = capsys.readouterr().out
    assert "Tensor.__getitem__" in out and "warning" not in out
    assert main(["reference", "bow"]) == 0
    capsys.readouterr()
    assert main(["audit", "bow", "--json", "audit.json", "-j", "2"]) == 0, capsys.readouterr().out
    report = json.loads((tmp_path / "audit.json").read_text())
    variants = {v["name"]: v["status"] for v in report["variants"]}
    assert variants["embedding_transposed"] == "full marks" and variants["index-select"] == "full marks"
    mutants = {m["description"]: m for m in report["questions"][0]["mutants"]}
    detached = mutants["returned tensor detached from the graph"]
    assert detached["status"] == "killed" and detached["caught_by"] == ["forward.trains"]
    assert mutants["initialisation randn replaced by rand"]["status"] == "killed"

    assert main(["bundle", "bow", "--out", "handout"]) == 0
    assert (tmp_path / "handout" / "utils.py").is_file() and (tmp_path / "handout" / "selfcheck" / "drivers.py").is_file()


def test_the_audit_catches_what_the_page_says_it_catches(tmp_path, monkeypatch, capsys):
    build_course(tmp_path)
    rubric = tmp_path / "rubrics" / "bow.yaml"
    rubric.write_text(rubric.read_text().replace("        accept_transposed: true\n", "")
                      .replace("dtype: int64, high: vocab}]\n        dims: {vocab: [7, 50], dim",
                               "dtype: int64, low: -3, high: vocab}]\n        dims: {vocab: [7, 50], dim"))
    monkeypatch.chdir(tmp_path)
    assert main(["audit", "bow", "--seeds", "1", "--json", "audit.json", "-j", "2"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "correct variant loses marks question1: alternatives/embedding_transposed/question1.py loses 4 points" in out
    report = json.loads((tmp_path / "audit.json").read_text())
    lost = {v["name"]: v["lost"] for v in report["variants"] if v["status"] == "loses marks"}
    assert set(lost) == {"embedding_transposed", "index-select"}
    assert "init.shapes: trial 1: shape (5, 8), expected (8, 5)" in lost["embedding_transposed"]
    assert all("raised IndexError: index out of range" in v[0] for v in lost.values())
    assert [(f["check"], f["inputs"]) for f in report["inputs"]] == [("forward.values", ["call.arg0"])]
    assert "may hold negative integers (low -3)" in report["inputs"][0]["text"]
