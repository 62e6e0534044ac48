"""The ops view: rare shared op profiles are evidence, the reference's and the class's common ones are not."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.cli import main
from grader.similarity.ops import OpsTable, alike
from grader.similarity.ranking import combined

EINSUM = {"torch.einsum": 1}
LOOPS = {"torch.zeros": 1, "Tensor.__getitem__": 48, "torch.mul": 24}


def test_profiles_compare_as_multisets():
    assert alike(LOOPS, LOOPS) == 1.0 and alike(EINSUM, LOOPS) == 0.0
    assert alike({"torch.mm": 2}, {"torch.mm": 1}) == 0.5


def test_only_rare_profiles_that_are_not_the_references_count():
    profiles = {"ann": {"p": LOOPS}, "bob": {"p": LOOPS}, "cat": {"p": EINSUM}, "dan": {"p": EINSUM},
                "eve": {"p": EINSUM}, "fay": {"p": {"torch.mm": 3}}}
    table = OpsTable(profiles, reference={"p": EINSUM})
    assert table.similarity("ann", "bob") == 1.0  # only these two ran these loops
    assert table.similarity("cat", "dan") == 0.0  # what the reference runs is what the question asks for
    assert table.similarity("ann", "fay") == 0.0
    assert table.similarity("ann", "nobody") is None
    match = table.matches("cat", "dan")[0]
    assert match.as_reference and match.same_in_class == 3


def test_ops_raise_a_text_score_but_never_flag_alone():
    assert combined(0.4, 0.2, 1.0) > 0.6 > combined(0.4, 0.2, None) == 0.4
    assert combined(0.1, 0.0, 1.0) < 0.2


@pytest.mark.slow
def test_grade_similarity_ops_runs_the_graded_calls_in_the_sandbox(tmp_path):
    corpus = Path(__file__).parent / "corpus" / "comp4901y-hw1"
    for name in ("ind_eko", "copy_notebook_eko", "ind_amy"):
        shutil.copytree(corpus / name, tmp_path / "subs" / name)
    out = tmp_path / "out"
    assert main(["similarity", "comp4901y-hw1", str(tmp_path / "subs"), "--out", str(out), "--ops",
                 "--json", str(out / "s.json")]) == 0
    q2 = next(q for q in json.loads((out / "s.json").read_text())["questions"] if q["id"] == "question2")
    top = q2["pairs"][0]
    assert {top["a"], top["b"]} == {"ind_eko", "copy_notebook_eko"} and top["ops"] == 1.0
    assert any("torch.where" in m["a"] for m in top["ops_matches"])
    assert "torch.where&nbsp;×" in (out / "similarity.html").read_text()
