"""``grade batch --similarity`` writes the similarity report beside the marks."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.cli import main

EXAMPLES = Path(__file__).parents[2] / "submissions_example" / "mlg-tutorial3"


@pytest.mark.slow
def test_batch_with_similarity_writes_the_report(tmp_path):
    subs = tmp_path / "subs"
    shutil.copytree(EXAMPLES / "ada_correct", subs / "ada_correct")
    shutil.copytree(EXAMPLES / "ada_correct", subs / "ada_twin")
    out = tmp_path / "out"
    assert main(["batch", "mlg-tutorial3", str(subs), "--out", str(out), "-j", "1", "--similarity"]) == 0
    assert (out / "marks.csv").is_file()
    rows = (out / "similarity.csv").read_text().splitlines()
    assert rows[1].startswith("tutorial3,1,ada_correct,ada_twin,1.0,") and ",yes," in rows[1]
    assert "not a verdict" in (out / "similarity.html").read_text()
