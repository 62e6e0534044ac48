"""``grade batch --similarity`` writes the similarity report beside the marks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.cli import main

EXAMPLES = Path(__file__).parents[2] / "submissions_example" / "mlg-tutorial3"


@pytest.mark.slow
def test_batch_writes_the_report_and_takes_the_similarity_choices_of_grade_similarity(tmp_path):
    """One graded batch: its report with the default choices, then with those of ``grade similarity`` (a rerun
    keeps every result and writes the report again)."""
    subs, out, also = tmp_path / "subs", tmp_path / "out", tmp_path / "last_year"
    for name, twin in (("ada_correct", "ada_correct"), ("ada_correct", "ada_twin"), ("ben_missing_factor_two", None)):
        shutil.copytree(EXAMPLES / name, subs / (twin or name))
    batch = ["batch", "mlg-tutorial3", str(subs), "--out", str(out), "-j", "1", "--similarity"]
    assert main(batch) == 0
    assert (out / "marks.csv").is_file()
    rows = (out / "similarity.csv").read_text().splitlines()
    assert rows[1].startswith("tutorial3,1,ada_correct,ada_twin,1.0,") and ",yes," in rows[1]
    assert "not a verdict" in (out / "similarity.html").read_text()
    assert main([*batch, "--ops", "--threshold", "0.99"]) == 0
    rows = [row.split(",") for row in (out / "similarity.csv").read_text().splitlines()[1:]]
    assert rows[0][2:4] == ["ada_correct", "ada_twin"] and rows[0][8] == "yes"
    assert all(row[7] != "" for row in rows)  # the ops view ran for every pair
    shutil.copytree(EXAMPLES / "ada_correct", also)  # the twins' code was handed out last year
    assert main([*batch, "--also", str(also)]) == 0
    twins = next(row for row in (r.split(",") for r in (out / "similarity.csv").read_text().splitlines())
                 if row[2:4] == ["ada_correct", "ada_twin"])
    assert float(twins[4]) == 0.0 and twins[8] == "no" and twins[7] == ""


def test_batch_refuses_similarity_choices_without_the_report(tmp_path, capsys):
    subs = tmp_path / "subs"
    shutil.copytree(EXAMPLES / "ada_correct", subs / "ada_correct")
    out = tmp_path / "out"
    assert main(["batch", "mlg-tutorial3", str(subs), "--out", str(out), "--ops", "--also", str(subs)]) == 2
    assert "--ops and --also only apply to the similarity report: add --similarity" in capsys.readouterr().out
    assert main(["batch", "mlg-tutorial3", str(subs), "--out", str(out), "--similarity", "--also",
                 str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().out
    assert not (out / "marks.csv").exists()
    assert main(["batch", "mlg-tutorial3", str(subs), "--similarity", "--threshold", "1.5"]) == 2
    assert "1.5 is not a score between 0 and 1" in capsys.readouterr().err
