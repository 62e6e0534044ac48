"""The ops view: rare shared op sequences are evidence, the reference's and the class's common ones are not."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.similarity.models import Pair, QuestionSimilarity, SimilarityReport
from grader.similarity.ops import OpsTable, aligned_rows, alike, run_token, shingles
from grader.similarity.ranking import combined
from grader.similarity.report import render_similarity
from grader.similarity.sources import read_document

EINSUM = (("torch.einsum", 1),)
LOOPS = (("torch.zeros", 1), ("Tensor.__getitem__", 2), ("torch.mul", 1), ("Tensor.__getitem__", 2),
         ("torch.mul", 1), ("Tensor.add", 24), ("torch.where", 1), ("Tensor.sum", 1))
MATMUL = (("torch.matmul", 1), ("torch.relu", 1), ("torch.mm", 1), ("Tensor.pow", 1), ("Tensor.sum", 1))


def test_runs_compare_by_order_with_loop_lengths_rounded():
    assert run_token("torch.mul", 1) == "torch.mul" and run_token("torch.mul", 24) == run_token("torch.mul", 31)
    assert run_token("torch.mul", 16) == "torch.mul×16+" != run_token("torch.mul", 15)
    assert alike(LOOPS, LOOPS) == 1.0 and alike(EINSUM, LOOPS) == 0.0
    assert shingles(EINSUM) == {("torch.einsum",)} and len(shingles(LOOPS)) == 6
    assert shingles(tuple(reversed(MATMUL))).isdisjoint(shingles(MATMUL))  # the same ops in another order


def test_only_rare_sequences_that_are_not_the_references_count():
    sequences = {"ann": {"p": LOOPS}, "bob": {"p": LOOPS}, "cat": {"p": EINSUM}, "dan": {"p": EINSUM},
                 "eve": {"p": EINSUM}, "fay": {"p": MATMUL}, "gil": {"p": tuple(reversed(MATMUL))}}
    table = OpsTable(sequences, reference={"p": EINSUM})
    assert table.similarity("ann", "bob") == 1.0  # only these two ran these loops
    assert table.similarity("cat", "dan") == 0.0  # what the reference runs is what the question asks for
    assert table.similarity("ann", "fay") == 0.0
    assert table.similarity("fay", "gil") == 0.0  # the same counts, in another order
    assert table.similarity("ann", "nobody") is None
    match = table.matches("cat", "dan")[0]
    assert match.as_reference and match.same_in_class == 3 and match.evidence == 0.0


def test_a_sequence_the_whole_class_runs_counts_little():
    common = {f"s{i}": {"p": MATMUL} for i in range(10)}
    table = OpsTable({**common, "ann": {"p": LOOPS}, "bob": {"p": LOOPS}}, reference={"p": EINSUM})
    # ten of twelve: each n-gram weighs log(12/10) / log(12/2) = 0.10, and the little mass is damped further
    assert table.similarity("s0", "s1") < 0.11 and table.similarity("ann", "bob") == 1.0


def test_the_pair_is_shown_aligned_run_by_run():
    edited = LOOPS[:5] + (("torch.einsum", 1),) + LOOPS[5:]
    rows = aligned_rows(LOOPS, edited)
    assert [(r.a, r.b, r.same) for r in rows[4:8]] == [
        ("torch.mul", "torch.mul", True), ("", "torch.einsum", False), ("Tensor.add ×24", "Tensor.add ×24", True),
        ("torch.where", "torch.where", True)]
    match = OpsTable({"ann": {"p": LOOPS}, "bob": {"p": edited}}).matches("ann", "bob")[0]
    assert match.rows == rows and match.a == list(LOOPS) and 0.9 < match.similarity < 1.0


def test_op_names_from_the_child_are_shown_as_text(tmp_path):
    forged = (("<img src=x onerror=alert(1)>", 3), ("torch.mm", 1))
    match = OpsTable({"ann": {"p": forged}, "bob": {"p": forged}}).matches("ann", "bob")[0]
    pair = Pair(a="ann", b="bob", score=0.9, tokens=0.9, structure=0.9, ops=1.0, flagged=True, ops_matches=[match])
    question = QuestionSimilarity(id="q", file="q.py", students=["ann", "bob"], pairs=[pair])
    (tmp_path / "q.py").write_text("x = 1\n")
    documents = {"q": {name: read_document(name, tmp_path / "q.py") for name in ("ann", "bob")}}
    html = render_similarity(SimilarityReport(assignment="a", threshold=0.5, views=["ops"], questions=[question]),
                             documents)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; ×3" in html


def test_ops_raise_a_text_score_but_never_flag_alone():
    assert combined(0.4, 0.2, 1.0) > 0.6 > combined(0.4, 0.2, None) == 0.4
    assert combined(0.1, 0.0, 1.0) < 0.2


@pytest.mark.slow
def test_grade_similarity_ops_runs_the_graded_calls_in_the_sandbox(tmp_path):
    corpus = Path(__file__).parent / "corpus" / "comp4901y-hw1"
    for name in ("ind_ben", "copy_rename_ben", "ind_amy"):
        shutil.copytree(corpus / name, tmp_path / "subs" / name)
    out = tmp_path / "out"
    assert main(["similarity", "comp4901y-hw1", str(tmp_path / "subs"), "--out", str(out), "--ops",
                 "--json", str(out / "s.json")]) == 0
    q2 = next(q for q in json.loads((out / "s.json").read_text())["questions"] if q["id"] == "question2")
    top = q2["pairs"][0]
    assert {top["a"], top["b"]} == {"ind_ben", "copy_rename_ben"} and top["ops"] > 0.5
    assert all(m["a"] == m["b"] and m["similarity"] == 1.0 for m in top["ops_matches"])  # a renamed copy runs alike
    strongest = top["ops_matches"][0]
    assert strongest["evidence"] > 0.5 and all(row["same"] for row in strongest["rows"])
    html = (out / "similarity.html").read_text()
    assert f"{strongest['probe']}: aligned 100%" in html and '<tr class="hit"><td>' in html
