"""Submissions laid out the way students really hand them in, each with the marks a careful marker
gives under the rubric: the corpus lives in tests/corpus/submissions/<assignment>/<student>/.

Each assignment's folder is graded once (one batch, two workers); every student is a case of its
own, so a case where the grader and the marker part ways is an expected failure that names the gap
and does not hide the others. Questions marked by hand (comp4901y-hw1's 4 and 5) are 0 until a
marker enters them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.cli import main

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "submissions"

EXPECTED: dict[str, list[tuple]] = {
    "pset09-autodiff": [
        # problem 1 written to a module by %%writefile and imported from the next cell
        ("nb_writefile_module", {"question1": 5, "question2": 3.5}),
        # IPython.display in every other cell; 1.3 by torch.autograd.functional.jacobian
        ("nb_ipython_display", {"question1": 5, "question2": 3.5}),
        # a cell calling train_linear before it is defined; momentum unused (-1.5); 1.5 not done (-1)
        ("nb_out_of_order_name_error", {"question1": 4, "question2": 2}),
        # the cell holding trace_square_grad does not parse, so 1.4 is not there (-1)
        ("nb_syntax_error_cell", {"question1": 4, "question2": 3.5}),
        # question1.py is nbconvert output with a raw !pip line; question2.py has CRLF and tabs
        ("nbconvert_and_crlf", {"question1": 5, "question2": 3.5}),
        # 1.4 returns 2A, the gradient of tr(AA) is 2A^T (-1); losses kept as tensors (no .item()) and
        # momentum with lr folded into the velocity (v = mu v + lr g, theta -= v: the same steps) cost nothing
        ("trace_grad_not_transposed", {"question1": 4, "question2": 3.5},
         "1.3 returned as a 2 x 2 nested list of the right numbers is refused for not being a tensor"),
        # question1.py starts with a UTF-8 BOM and imports its helpers from autodiff_utils.py;
        # question2.py uses optim.SGD(momentum=...) (PyTorch's buffer is the handout's b_t) and trains at import
        ("bom_helper_module", {"question1": 5, "question2": 3.5}),
        # a Colab notebook per problem; 1.4 and 1.5 left as `pass` (-2); problem 2 mounts Drive and forgets
        # requires_grad on the bias, which stays 0: the fit (-1), a curve that stalls at the bias's error (-1)
        # and the momentum run (-1.5) are all wrong
        ("nb_per_problem_unfinished", {"question1": 3, "question2": 0},
         "1.3 returned as a 2 x 2 nested list of the right numbers is refused for not being a tensor"),
    ],
    "soton-lab2-autograd": [
        # float64 default dtype, backward(torch.ones(...)), iris read from data/iris.data (not handed in)
        ("float64_backward_ones", {"question1": 2.5, "question2": 1}),
        # the MLP trained in main() through `global W1, W2, b1, b2`, called under __main__ (run_as_main)
        ("global_in_main", {"question1": 2.5, "question2": 1}),
        # question1.py as a script, part 2 in a notebook
        ("py_and_notebook", {"question1": 2.5, "question2": 1}),
        # both files latin-1 with a coding line and French comments; A.float() inside gd_factorise_ad, so the
        # factors come back float32 for float64 data: the same loss and plane, nothing lost
        ("latin1_float32_factors", {"question1": 2.5, "question2": 1}),
        # `from torch.nn.functional import mse_loss as mse`, `loss_fn = F.cross_entropy`, `init = torch.randn`,
        # tqdm progress bars: every recipe is followed under another name
        ("aliased_losses_tqdm", {"question1": 2.5, "question2": 1}),
        # gd_factorise_ad(A, rank, epochs=1000, lr=0.01): the keyword renamed, defaults kept; the rubric gives
        # 0 points to the signature (p1_1.defaults), so the marker, calling it positionally, deducts nothing
        ("renamed_epochs_kwarg", {"question1": 2.5, "question2": 1}),
        # nbconvert script with !pip, %matplotlib, the pgf backend with usetex and a .pgf figure saved last,
        # sklearn's PCA for the comparison; U.data -= lr * U.grad. Part 2 as train_mlp() run five times
        ("nbconvert_pgf_train_mlp", {"question1": 2.5, "question2": 1}),
        # the loss written as torch.sum((A - U V^T)^2), the very sum mse_loss(reduction='sum') computes (the rubric
        # takes either form), the update by re-creating leaves (correct); part 2 stops at the initial loss: no
        # training (-0.5)
        ("frobenius_by_hand_q2_untrained", {"question1": 2.5, "question2": 0.5}),
    ],
    "mlg-tutorial3": [
        # a Colab notebook with `!pip install torch`, the handout's demos and the discussion in markdown
        ("colab_pip_discussion", {"tutorial3": 10}),
        # CRLF line endings, prints everywhere; the analytic gradient divided by n (the mean, not ||.||^2): -2
        ("mean_not_sum_crlf", {"tutorial3": 8},
         "mse_grad_analytic.values draws its sizes per trial with replacement and all 4 seeded trials get n = 1, "
         "so a gradient divided by n passes"),
        # tabs; ce_loss by hand with log_softmax over dim 0 of a 1 x 2 batch, always 0 (-1.5); the SGD losses
        # appended as tensors (no .item()), the right values all the same
        ("softmax_wrong_dim_tabs", {"tutorial3": 8.5}),
        # the handout's demos run at import; opt.zero_grad() called once before the loop, so the gradients add
        # up: the step-for-step losses (-0.5) and clearing every step (-0.5) are lost, the loss still falls
        ("zero_grad_before_loop", {"tutorial3": 9},
         "sgd_demo.zero_grad is met by a zero_grad() anywhere in sgd_demo, once before the loop included"),
        # mse_grad_analytic returns mse_grad_autograd(...) (-0.5, hidden check); sgd_demo never seeds, so the
        # step-for-step losses differ (-0.5); logistic_loss in numpy
        ("analytic_calls_autograd", {"tutorial3": 9}),
        # a Jupyter notebook, `import torch as T`, %matplotlib inline; gradients cleared with p.grad = None
        ("grad_none_notebook", {"tutorial3": 10}),
        # print-heavy script whose last lines save a figure into a folder that is not handed in: every
        # function is right and the rubric gives no points for the plot
        ("plot_crashes_at_end", {"tutorial3": 10},
         "a script that raises on its last line loses every value check, though each function was defined "
         "before the crash (the source rule too: a file that does not import earns no require rule)"),
    ],
    "comp4901y-hw1": [
        # nbconvert output with get_ipython().system('pip ...'), tqdm in the loop; a scanned question4.pdf
        # (waits for the marker); question3 not handed in
        ("nbconvert_q1_q2_scanned_q4", {"question1": 15, "question2": 25, "question3": 0, "question4": 0,
                                        "question5": 0}),
        # the handout's formula literally: forward returns (y' - y)^2, a 1 x 1 tensor; nothing wrong
        ("loss_kept_1x1", {"question1": 15, "question2": 25, "question3": 0, "question4": 0, "question5": 0}),
        # no einsum (-3); backward adds into dW1/dW2 (+=) and nothing resets them: one call is right, but
        # training follows the running sum of every gradient and the short run does not settle (-4)
        ("no_einsum_accumulating_dw", {"question1": 12, "question2": 21, "question3": 0, "question4": 0,
                                       "question5": 0}),
        # einsum only behind `if USE_EINSUM:` with USE_EINSUM = False (-3); a gradient checker with
        # requires_grad_ and .backward() in the file breaks the no-autograd rule in the source (-2)
        ("dead_einsum_autograd_checker", {"question1": 12, "question2": 23, "question3": 0, "question4": 0,
                                          "question5": 0}),
        # ellipsis einsum; a Colab export of question 3 with .to(device), tqdm and log['loss'] holding tensors;
        # question 2 not handed in
        ("q1_q3_colab_device_tqdm", {"question1": 15, "question2": 0, "question3": 20, "question4": 0,
                                     "question5": 0}),
        # aggregate sums the 4th dimension (-4); question 3 from scratch (no IMAGENET1K_V1: -4), learning
        # rate 0.001 off the grid (-1), so the loss barely moves in two epochs (-4), plot saved as .png (-2)
        ("no_pretrained_weights_lr_off_grid", {"question1": 11, "question2": 0, "question3": 9, "question4": 0,
                                               "question5": 0}),
        # dW1 stored transposed (H x D, -4) and sgd_step transposes it back (W1 -= lr dW1.T): training is right,
        # but sgd_step given a D x H dW1 fails (-3)
        ("transposed_dw1_step_compensates", {"question1": 15, "question2": 18, "question3": 0, "question4": 0,
                                             "question5": 0}),
    ],
}


def cases() -> list:
    """One case per student; a third item in an entry is a gap of the grader, a strict xfail."""
    out = []
    for assignment, entries in EXPECTED.items():
        for student, marks, *gap in entries:
            out.append(pytest.param(assignment, student, marks, id=f"{assignment}/{student}",
                                    marks=[pytest.mark.xfail(strict=True, reason=gap[0])] if gap else []))
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each assignment's corpus graded once per module: ``{assignment: marks folder}``."""
    out = {}
    for assignment in EXPECTED:
        out[assignment] = tmp_path_factory.mktemp(assignment)
        assert main(["batch", assignment, str(CORPUS / assignment), "--out", str(out[assignment]), "-j", "2"]) == 0
    return out


def result(graded: dict[str, Path], assignment: str, student: str) -> dict:
    """The stored result of one student."""
    return json.loads((graded[assignment] / "results" / f"{student}.json").read_text())


def test_every_folder_is_asserted():
    """No student in the corpus goes unasserted, and every assignment has at least five."""
    for assignment, entries in EXPECTED.items():
        names = sorted(entry[0] for entry in entries)
        assert sorted(p.name for p in (CORPUS / assignment).iterdir() if p.is_dir()) == names
        assert len(names) >= 5, assignment
    assert sum(len(entries) for entries in EXPECTED.values()) >= 30


@pytest.mark.parametrize("assignment, student, marks", cases())
def test_a_careful_markers_marks(graded, assignment, student, marks):
    got = {q["id"]: q["points"] for q in result(graded, assignment, student)["questions"]}
    assert got == pytest.approx(marks)


MESSAGES = [
    ("pset09-autodiff", "nb_syntax_error_cell", None, "cell 6 skipped: it does not parse (line 3"),
    ("pset09-autodiff", "nb_per_problem_unfinished", "p1_4.grad", "returned a None, expected a torch.Tensor"),
    ("mlg-tutorial3", "plot_crashes_at_end", "ce_loss.values",
     "importing tutorial3.py raised FileNotFoundError: [Errno 2] No such file or directory: "
     "'figures/tutorial3_sgd.png' (tutorial3.py, line 66:"),
    ("soton-lab2-autograd", "renamed_epochs_kwarg", "p1_2.loss",
     "nothing deducted: `gd_factorise_ad` takes the handout's `num_epochs=` as `epochs=`"),
    ("comp4901y-hw1", "dead_einsum_autograd_checker", "elementwise.einsum",
     "`element_wise_multiplication` uses call torch.einsum only where it never runs (line 8)"),
    ("comp4901y-hw1", "transposed_dw1_step_compensates", "gradient.W1", "shape (6, 3), expected (3, 6)"),
    ("comp4901y-hw1", "no_einsum_accumulating_dw", "loss_curve", "training diverged"),
    ("comp4901y-hw1", "no_pretrained_weights_lr_off_grid", "grid.learning_rate",
     "`learning_rate` is number 0.001; the handout allows 0.01, 0.03"),
]


@pytest.mark.parametrize("assignment, student, check, fragment", MESSAGES,
                         ids=[f"{m[0]}/{m[1]}/{m[2] or 'output'}" for m in MESSAGES])
def test_what_the_student_reads(graded, assignment, student, check, fragment):
    questions = result(graded, assignment, student)["questions"]
    if check is None:
        assert fragment in questions[0]["output"]
        return
    messages = [c["message"] for q in questions for c in q["checks"] if c["id"] == check]
    assert len(messages) == 1 and fragment in messages[0], messages
