"""Submissions laid out the way students really hand them in, each with the marks a careful marker
gives: the corpus lives in tests/corpus/submissions/<assignment>/<student>/ (written for these tests)."""
from __future__ import annotations

import json

import pytest

from grader.cli import main
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

CORPUS = ROOT / "tests" / "corpus" / "submissions"
EXPECTED = {
    "pset09-autodiff": {
        # problem 1 written to a module by %%writefile and imported from the next cell
        "nb_writefile_module": {"question1": 5, "question2": 3.5},
        # IPython.display in every other cell; 1.3 by torch.autograd.functional.jacobian
        "nb_ipython_display": {"question1": 5, "question2": 3.5},
        # a cell calling train_linear before it is defined; momentum unused (-1.5); 1.5 not done (-1)
        "nb_out_of_order_name_error": {"question1": 4, "question2": 2},
        # the cell holding trace_square_grad does not parse, so 1.4 is not there (-1)
        "nb_syntax_error_cell": {"question1": 4, "question2": 3.5},
        # question1.py is nbconvert output with a raw !pip line; question2.py has CRLF and tabs
        "nbconvert_and_crlf": {"question1": 5, "question2": 3.5},
    },
    "soton-lab2-autograd": {
        # float64 default dtype, backward(torch.ones(...)), iris read from data/iris.data (not handed in)
        "float64_backward_ones": {"question1": 2.5, "question2": 1},
        # the MLP trained in main() through `global W1, W2, b1, b2`, called under __main__ (run_as_main)
        "global_in_main": {"question1": 2.5, "question2": 1},
        # question1.py as a script, part 2 in a notebook
        "py_and_notebook": {"question1": 2.5, "question2": 1},
    },
}


@pytest.mark.parametrize("assignment", sorted(EXPECTED))
def test_the_corpus_gets_a_careful_markers_marks(assignment, tmp_path):
    out = tmp_path / "marks"
    assert main(["batch", assignment, str(CORPUS / assignment), "--out", str(out)]) == 0
    folders = sorted(p.name for p in (CORPUS / assignment).iterdir() if p.is_dir())
    assert folders == sorted(EXPECTED[assignment])
    for student, marks in EXPECTED[assignment].items():
        result = json.loads((out / "results" / f"{student}.json").read_text())
        assert {q["id"]: q["points"] for q in result["questions"]} == pytest.approx(marks), student
    if assignment != "pset09-autodiff":
        return
    broken = json.loads((out / "results" / "nb_syntax_error_cell.json").read_text())
    assert "cell 6 skipped: it does not parse (line 3" in broken["questions"][0]["output"]
