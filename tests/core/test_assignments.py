"""Every shipped assignment: its reference earns full marks, its examples get the marks a marker would give."""
from __future__ import annotations

import json

import pytest

from grader.cli import main
from tests.conftest import ROOT, check_points

pytestmark = pytest.mark.slow

# assignment -> student -> points per question; each folder's mistake is in the README.
EXPECTED = {
    "soton-lab2-autograd": {  # automatic marks only: 1.5 of the 5 are marked by hand
        "alex_2023_script": {"question1": 2.5, "question2": 1},  # the 2023 handout's code, URL split in two
        "bea_2026_float64_latex": {"question1": 2.5, "question2": 1},  # float64 default, pgf backend, usetex
        "cal_lab2_single_file": {"question1": 2.5, "question2": 1},  # one lab2.py; num_epochs=65536 default
        "dee_mean_reduction": {"question1": 0.5, "question2": 1},  # mse_loss's mean: never converges at lr 0.01
        "eli_randn_no_zero_grad": {"question1": 0.5, "question2": 1},  # normal init; gradients pile up to NaN
        "fin_vector_biases": {"question1": 2.5, "question2": 0.75},  # a bias per neuron
        # downloads from elsewhere: question1.py does not import, so its source rule earns nothing either (was 0.5);
        # question2.py runs as a script, and what it defined before the download failed is graded
        "gus_other_url": {"question1": 0, "question2": 0.25},
        # handed in as students really hand in (marks as the clean scripts would get):
        "hana_colab_whole_lab": {"question1": 2.5, "question2": 1},  # one Colab notebook: !pip, drive.mount, %%time,
        # a draft gd_factorise_ad redefined by a later cell, a cell run out of order (NameError)
        "ivan_notebook_per_part": {"question1": 2.5, "question2": 0.75},  # part1/part2.ipynb; a bias per neuron
        "jo_nbconvert_script": {"question1": 2.5, "question2": 1},  # nbconvert's lab2.py with magics and a raw !ldconfig
        "kim_local_iris_crlf": {"question1": 2.5, "question2": 1},  # reads ./iris.data; CRLF, BOM, cp1252, tabs
        "lea_seaborn_sklearn": {"question1": 2.5, "question2": 1},  # seaborn plots, sklearn PCA and split, scipy
        "mo_main_guard": {"question1": 2.5, "question2": 1},  # work under __main__; a plot crash after training
        # part 2 all in main() with its own names: nothing left to read (-0.25 shapes), the loss curve recorded
        "nia_main_locals": {"question1": 2.5, "question2": 0.75},
        # float32 factors from torch.rand and a fused addmm, which raises on the handout's float64 data: the
        # driver runs it again in float32 (the dtype of the student's own data) and says so; nothing lost
        "nia_float32_addmm": {"question1": 2.5, "question2": 1},
        # sgd_factorise_ad for gd_factorise_ad, returning (U, V, losses): graded, 25% deducted from each of the
        # four checks that use it (1.1 trace and source, 1.2, 1.3)
        "oli_renamed_function_tuple": {"question1": 1.875, "question2": 1},
        # an extra `device` parameter with no default, filled from the module's `device`: 25% of the three checks
        # that call the function (the source rule does not call it)
        "pia_device_parameter": {"question1": 2, "question2": 1},
    },
    "pset09-autodiff": {
        "anna_correct": {"question1": 5, "question2": 3.5},
        "boris_no_zero_grad": {"question1": 5, "question2": 0},  # gradients add up: fit, curve, momentum
        "chen_no_sum_trick": {"question1": 3.5, "question2": 3.5},  # backward() of a vector; x.grad aliased
        "dora_momentum_ignored": {"question1": 5, "question2": 2},  # momentum argument unused: -1.5
        "emil_hardcoded": {"question1": 4, "question2": 3.5},  # quiz answers typed in: hidden points fail
        "fay_transpose_missing": {"question1": 4, "question2": 3.5},  # 2A instead of 2A^T
        "greta_colab_notebook": {"question1": 5, "question2": 3.5},  # one Colab notebook; X.pt, y.pt not handed in
        "hugo_notebook_per_problem": {"question1": 5, "question2": 2},  # problem1/2.ipynb; momentum ignored (-1.5)
    },
    "mlg-tutorial3": {
        "ada_correct": {"tutorial3": 10},
        "ben_missing_factor_two": {"tutorial3": 8},  # analytic gradient without the 2: -2
        "cleo_no_zero_grad": {"tutorial3": 9},  # no zero_grad: -0.5 source, -0.5 losses differ
        "dan_no_autograd": {"tutorial3": 8},  # formula in mse_grad_autograd (-1), s0 - s1 (-1)
        "eve_numpy_arrays": {"tutorial3": 8},  # a numpy array where a tensor is expected: -2
        "finn_import_error": {"tutorial3": 0},  # does not import: nothing runs, so nothing required is there
        # mse_grad_analytic adds into torch.empty_like(w): NaN where the grader fills uninitialised memory, garbage
        # otherwise; flagged unstable and scored at its worse run (-2)
        "hal_uninitialised_buffer": {"tutorial3": 8},
        "gil_notebook_redefined": {"tutorial3": 8},  # a notebook whose last cell redefines the analytic
        # gradient without the 2: run top to bottom, that definition is the one graded (-2)
    },
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def graded(request, example_batch):
    assignment = request.param
    code, out = example_batch(assignment)
    return assignment, code, out


def test_reference_scores_full_marks(graded):
    assignment, _, _ = graded
    assert main(["reference", assignment]) == 0


def test_every_example_has_asserted_marks(graded):
    assignment, code, out = graded
    assert code == 0
    folders = sorted(p.name for p in (ROOT / "submissions_example" / assignment).iterdir() if p.is_dir())
    assert folders == sorted(EXPECTED[assignment])
    for student, marks in EXPECTED[assignment].items():
        result = json.loads((out / "results" / f"{student}.json").read_text())
        assert {q["id"]: q["points"] for q in result["questions"]} == pytest.approx(marks), student


def test_handout_of_the_assignment_self_checks(graded, tmp_path):
    assignment, _, out = graded
    handout = tmp_path / "handout"
    assert main(["bundle", assignment, "--out", str(handout)]) == 0
    best = max(EXPECTED[assignment], key=lambda s: sum(EXPECTED[assignment][s].values()))
    for path in (ROOT / "submissions_example" / assignment / best).iterdir():
        (handout / path.name).write_bytes(path.read_bytes())
    assert main(["--local", str(handout), "--json", str(tmp_path / "local.json")]) == 0
    local = json.loads((tmp_path / "local.json").read_text())
    batch = json.loads((out / "results" / f"{best}.json").read_text())
    assert check_points(local) == check_points(batch, "public")


def test_notebook_examples_say_what_did_not_run(graded):
    assignment, _, out = graded
    if assignment != "soton-lab2-autograd":
        pytest.skip("the notebook messages are asserted on one assignment")

    def output(student, question):
        result = json.loads((out / "results" / f"{student}.json").read_text())
        return next(q["output"] for q in result["questions"] if q["id"] == question)

    hana = output("hana_colab_whole_lab", "question1")
    assert "[grader] skipped the shell command `!pip install -q torch torchvision`" in hana
    assert "[grader] google.colab is a stand-in while grading" in hana
    assert "[grader] cell 10, line 1 raised NameError: name 'svd_loss' is not defined" in hana
    assert "[grader] cell 5 skipped: it is tagged skip-execution" in output("ivan_notebook_per_part", "question1")
    assert "skipped the shell command `!ldconfig`" in output("jo_nbconvert_script", "question2")
    assert "[grader] seaborn is a stand-in" in output("lea_seaborn_sklearn", "question2")
    assert "question2.py, line 33 raised RuntimeError: Can't call numpy()" in output("mo_main_guard", "question2")


def test_deviations_and_unstable_code_are_said_and_regrades_give_the_same_marks(graded, tmp_path):
    assignment, _, out = graded
    if assignment not in ("soton-lab2-autograd", "mlg-tutorial3"):
        pytest.skip("these examples are soton-lab2-autograd's and mlg-tutorial3's")

    def messages(student, folder=out):
        result = json.loads((folder / "results" / f"{student}.json").read_text())
        return {c["id"]: c["message"] for q in result["questions"] for c in q["checks"]}

    if assignment == "mlg-tutorial3":
        hal = messages("hal_uninitialised_buffer")["mse_grad_analytic.values"]
        # the filled first run always fails (NaN); the second run reads whatever memory it gets, which may or
        # may not change the outcome, so the check is flagged either way and the lower score is kept
        assert "`result` came out different in a second run from the same seed" in hal
        again = tmp_path / "again"
        assert main(["batch", assignment, str(ROOT / "submissions_example" / assignment), "--out", str(again),
                     "--force"]) == 0
        for student in EXPECTED[assignment]:
            first = json.loads((out / "results" / f"{student}.json").read_text())
            second = json.loads((again / "results" / f"{student}.json").read_text())
            assert check_points(first) == check_points(second), student
        return
    nia = messages("nia_float32_addmm")["p1_2.loss"]
    assert "`gd_factorise_ad` raised RuntimeError (self and mat2 must have the same dtype" in nia
    assert "so it was run again on the same data in float32, the dtype your code uses" in nia
    oli = messages("oli_renamed_function_tuple")["p1_2.loss"]
    assert oli.endswith("25% of this check's points deducted for leaving the handout's interface: `sgd_factorise_ad` "
                        "was graded as `gd_factorise_ad`, the name the handout asks for; `sgd_factorise_ad` returned 3 "
                        "items where the handout asks for (U, V); the first 2 were graded")
    pia = messages("pia_device_parameter")["p1_1.uniform_init_autograd"]
    assert pia.endswith("`gd_factorise_ad` has parameters the handout's does not: `device` (given the module's "
                        "`device`)")
