"""``grade similarity``: the report files, clusters, the starter and ``--also`` set aside, hostile names."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from grader.cli import main
from grader.similarity.models import DISCLAIMER

CORPUS = Path(__file__).parent / "corpus" / "comp4901y-hw1"
STARTER = Path(__file__).parents[2] / "starter" / "comp4901y-hw1" / "question2.py"
HOSTILE = "=SUM(A1)<img src=x onerror=alert(1)>"


def _student(root: Path, name: str, text: str, file: str = "question2.py") -> None:
    (root / name).mkdir(parents=True)
    (root / name / file).write_text(text)


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """Three renamed copies of one solution, a notebook copy, two starter keepers, two honest students."""
    root = tmp_path_factory.mktemp("similarity") / "subs"
    ben = (CORPUS / "ind_ben" / "question2.py").read_text()
    _student(root, HOSTILE, ben)
    _student(root, "ben2", ben.replace("cache", "memo").replace("recorded", "kept"))
    _student(root, "ben3", ben.replace("a_prime", "act").replace("net", "model"))
    starter = STARTER.read_text()
    _student(root, "keeper1", starter.replace('raise NotImplementedError("write sgd_step")',
                                              "self.W1 = self.W1 - self.lr * self.dW1"))
    _student(root, "keeper2", starter.replace('raise NotImplementedError("write forward")', "return (x @ self.W1).sum()"))
    for name in ("ind_chen", "ind_gus"):
        shutil.copytree(CORPUS / name, root / name)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Q2")] + [
        nbformat.v4.new_code_cell(chunk) for chunk in (CORPUS / "ind_amy" / "question2.py").read_text().split("\n\n\n")]
    (root / "amy_nb").mkdir()
    nbformat.write(notebook, root / "amy_nb" / "question2.ipynb")
    shutil.copytree(CORPUS / "ind_amy", root / "ind_amy")
    return root


@pytest.fixture(scope="module")
def report(batch, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("out")
    assert main(["similarity", "comp4901y-hw1", str(batch), "--out", str(out), "--json", str(out / "s.json")]) == 0
    return out, json.loads((out / "s.json").read_text())


def _question2(data: dict) -> dict:
    return next(q for q in data["questions"] if q["id"] == "question2")


def test_copies_are_flagged_clustered_and_starter_keepers_are_not(report):
    _, data = report
    q = _question2(data)
    flagged = {frozenset((p["a"], p["b"])) for p in q["pairs"] if p["flagged"]}
    assert frozenset(("amy_nb", "ind_amy")) in flagged
    assert frozenset(("ben2", "ben3")) in flagged and frozenset((HOSTILE, "ben2")) in flagged
    assert frozenset(("keeper1", "keeper2")) not in flagged
    assert not any({"ind_chen", "ind_gus"} & pair for pair in flagged)
    assert [sorted(c["students"]) for c in q["clusters"]] == [sorted([HOSTILE, "ben2", "ben3"])]
    assert data["disclaimer"] == DISCLAIMER


def test_html_explains_pairs_side_by_side_with_cells_and_escapes_names(report):
    out, _ = report
    html = (out / "similarity.html").read_text()
    assert "not a verdict" in html and "<script" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'class="hit"' in html and '<td class="ln">c2:1</td>' in html  # notebook lines as cell:line
    assert "Clusters of more than two" in html and "Corresponding functions" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script" not in html


def test_csv_cells_cannot_run_as_formulas(report):
    out, _ = report
    rows = list(csv.DictReader(io.StringIO((out / "similarity.csv").read_text())))
    names = {r["student_a"] for r in rows} | {r["student_b"] for r in rows}
    assert "'" + HOSTILE in names and HOSTILE not in names
    assert {r["flagged"] for r in rows} == {"yes", "no"} and rows[0]["rank"] == "1"


def test_also_sets_earlier_solutions_aside(batch, tmp_path):
    also = tmp_path / "earlier"
    shutil.copytree(CORPUS / "ind_amy", also / "amy_2023")
    out = tmp_path / "out"
    assert main(["similarity", "comp4901y-hw1", str(batch), "--out", str(out), "--also", str(also),
                 "--json", str(out / "s.json")]) == 0
    q = _question2(json.loads((out / "s.json").read_text()))
    flagged = {frozenset((p["a"], p["b"])) for p in q["pairs"] if p["flagged"]}
    assert frozenset(("amy_nb", "ind_amy")) not in flagged and frozenset(("ben2", "ben3")) in flagged
    assert main(["similarity", "comp4901y-hw1", str(batch), "--out", str(out), "--also", str(tmp_path / "no")]) == 2


def test_links_and_oversized_files_are_not_read(tmp_path):
    from grader.similarity.sources import MAX_SOURCE_BYTES, read_document

    real = tmp_path / "other" / "question2.py"
    real.parent.mkdir()
    real.write_text("x = 1\n")
    (tmp_path / "question2.py").symlink_to(real)
    assert read_document("eve", tmp_path / "question2.py") is None
    assert read_document("ann", real).text == "x = 1\n"
    big = tmp_path / "big.py"
    big.write_text("#" * (MAX_SOURCE_BYTES + 1))
    assert read_document("bob", big) is None


def test_a_short_question_says_its_scores_say_little(tmp_path):
    reference = (Path(__file__).parents[2] / "reference" / "comp4901y-hw1" / "question1.py").read_text()
    for name, spec in (("ann", '"ijkl,ijkl->ijkl"'), ("bob", '"abcd,abcd->abcd"'), ("cat", '"ijkl,ijkl->ijkl"')):
        _student(tmp_path / "subs", name, reference.replace('"ijkl,ijkl->ijkl"', spec), "question1.py")
    out = tmp_path / "out"
    assert main(["similarity", "comp4901y-hw1", str(tmp_path / "subs"), "--out", str(out),
                 "--json", str(out / "s.json")]) == 0
    q1 = next(q for q in json.loads((out / "s.json").read_text())["questions"] if q["id"] == "question1")
    assert not any(p["flagged"] for p in q1["pairs"]) and "say little" in q1["notes"][0]
    assert "say little" in (out / "similarity.html").read_text()


def test_every_formula_student_name_is_quoted_in_the_csv():
    from grader.render.spreadsheet import unquote_cell
    from grader.similarity.models import Pair, QuestionSimilarity, SimilarityReport
    from grader.similarity.report import similarity_csv

    formulas = ["=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
    pairs = [Pair(a=name, b="ok", score=0.9, tokens=0.9, structure=0.5, flagged=True) for name in formulas]
    report = SimilarityReport(assignment="a", threshold=0.5, views=["tokens"],
                              questions=[QuestionSimilarity(id="=q", file="q.py", students=formulas, pairs=pairs)])
    rows = list(csv.reader(io.StringIO(similarity_csv(report))))[1:]
    assert [r[2] for r in rows] == ["'" + f for f in formulas] and {r[0] for r in rows} == {"'=q"}
    assert [unquote_cell(r[2]) for r in rows] == formulas and rows[0][4] == "0.9"
