"""``kind: source``: rules on the student's file read as an AST, all or nothing, every broken rule named."""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from pydantic import ValidationError

from grader.checks.base import Evidence
from grader.checks.registry import KINDS
from grader.observe import FileObservations, ImportInfo
from tests.checks.conftest import context, make_spec, observed, plan_of, score

EINSUM = {"within": ["element_wise_multiplication"],
          "require": [{"call": "torch.einsum", "why": "the question asks for Einstein notation"}]}
NO_AUTOGRAD = {"forbid": [{"method": "backward", "max_args": 0, "why": "loss.backward() is autograd"},
                          {"module": "torch.autograd", "why": "gradients must be written by hand"},
                          {"keyword": "requires_grad=True", "why": "no tensor may track gradients"}]}


def hand_in(folder: Path, code: str, name: str = "question1.py") -> Path:
    """Write a student's file into the submission folder."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(code))
    return folder


def judged(folder: Path, code: str | None = None, name: str = "question1.py", **fields):
    """Score the rules in ``fields`` on ``code`` handed in as ``name`` (no code: the folder as it is)."""
    if code is not None:
        hand_in(folder, code, name)
    return score(make_spec("source", **fields), observed(module_file=name), folder=folder)


def test_nothing_is_called_but_required_code_must_import():
    plan = plan_of(make_spec("source", **EINSUM))
    assert [(p.id, p.steps) for p in plan.student] == [("c.imports", [])] and plan.reference == []
    assert plan_of(make_spec("source", **NO_AUTOGRAD)).student == [], "forbidding reads the file only"


def test_a_required_call_through_an_alias_earns_full_marks(tmp_path):
    verdict = judged(tmp_path, """
        import torch as th
        def element_wise_multiplication(a, b):
            return th.einsum("ijkl,ijkl->ijkl", a, b)
    """, **EINSUM)
    assert (verdict.fraction, verdict.message) == (1.0, "source follows the rules: call torch.einsum")


def test_a_missing_required_call_names_the_function_and_why(tmp_path):
    verdict = judged(tmp_path, """
        import torch
        def element_wise_multiplication(a, b):
            return a * b
        def unused(a):
            return torch.einsum("i->i", a)
    """, **EINSUM)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert verdict.message == ("`element_wise_multiplication` does not use call torch.einsum (the question asks for "
                               "Einstein notation)")


def test_a_function_that_is_not_there_to_look_in(tmp_path):
    verdict = judged(tmp_path, "def elementwise(a, b):\n    return a * b\n", **EINSUM)
    assert verdict.message == "no top-level `element_wise_multiplication` to look in"


def test_without_within_the_whole_file_is_searched(tmp_path):
    verdict = judged(tmp_path, "x = 1\n", require=[{"call": "torch.einsum"}])
    assert verdict.message == "question1.py does not use call torch.einsum"


def test_forbidden_patterns_are_reported_with_their_lines_in_the_rubrics_order(tmp_path):
    verdict = judged(tmp_path, """
        import torch
        w = torch.ones(3, requires_grad=True)
        loss = (w ** 2).sum()
        loss.backward()
        model.backward(loss)
    """, **NO_AUTOGRAD)
    assert verdict.fraction == 0.0
    assert verdict.message == ("line 5: .backward() is not allowed (loss.backward() is autograd); "
                               "line 3: requires_grad=True is not allowed (no tensor may track gradients)")


def test_hand_written_gradients_follow_the_rules(tmp_path):
    verdict = judged(tmp_path, """
        class MLP:
            def backward(self, loss):
                self.dW2 = self.a.T @ (2 * (self.y_hat - self.y))
        mlp = MLP()
        mlp.backward(1.0)
    """, **NO_AUTOGRAD)
    assert verdict.fraction == 1.0
    assert verdict.message == ("source follows the rules: no method backward, no module torch.autograd, "
                               "no keyword requires_grad=True")


def test_a_broken_requirement_and_a_forbidden_use_are_both_reported(tmp_path):
    verdict = judged(tmp_path, """
        import torch
        def element_wise_multiplication(a, b):
            return torch.autograd.functional.jacobian(lambda x: x * b, a)
    """, **EINSUM, forbid=[{"module": "torch.autograd"}])
    assert verdict.fraction == 0.0
    assert verdict.message == ("`element_wise_multiplication` does not use call torch.einsum (the question asks for "
                               "Einstein notation); line 4: torch.autograd is not allowed")


def test_more_than_eight_problems_are_counted(tmp_path):
    code = "".join(f"l{i}.backward()\n" for i in range(11))
    verdict = judged(tmp_path, code, forbid=[{"method": "backward"}])
    assert verdict.message.count("is not allowed") == 8 and verdict.message.endswith("; and 3 more")


def test_a_file_that_cannot_be_read_scores_nothing_and_says_why(tmp_path):
    assert judged(tmp_path, **EINSUM).message == "question1.py is missing"
    assert judged(tmp_path, "def f(:\n    pass\n", **EINSUM).message.startswith("question1.py does not parse: line 1: ")
    outside = tmp_path / "elsewhere.py"
    outside.write_text("import torch\ndef element_wise_multiplication(a, b):\n    return torch.einsum('i,i->i', a, b)\n")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "question1.py").symlink_to(outside)
    assert judged(linked, **EINSUM).message == "question1.py is a symbolic link; links are not followed"
    big = hand_in(tmp_path / "big", "x = 1\n" + "#" * 1_000_000 + "\n")
    verdict = judged(big, **EINSUM)
    assert (verdict.fraction, verdict.message) == (0.0, "question1.py is larger than 1,000,000 bytes and was not read")


def test_file_names_another_file_than_the_question(tmp_path):
    hand_in(tmp_path, "import torch\nloss.backward()\n", name="helpers.py")
    verdict = judged(tmp_path, "import helpers\n", file="helpers.py", forbid=[{"method": "backward"}])
    assert verdict.message == "line 2: .backward() is not allowed"


def test_a_notebook_is_judged_as_its_cells_run(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Part 1"),
        nbformat.v4.new_code_cell("!pip install torch\nimport torch"),
        nbformat.v4.new_code_cell("x = torch.ones(2, requires_grad=True)\n(x * 2).sum().backward()"),
        nbformat.v4.new_code_cell("sweep.backward()", metadata={"tags": ["skip-execution"]}),
    ])
    tmp_path.joinpath("Lab2.ipynb").write_text(nbformat.writes(notebook))
    verdict = judged(tmp_path, name="Lab2.ipynb", forbid=[{"method": "backward", "max_args": 0}])
    assert verdict.message == "cell 3, line 2: .backward() is not allowed"


def test_the_file_is_parsed_once_per_submission(tmp_path):
    hand_in(tmp_path, "import torch\ndef element_wise_multiplication(a, b):\n    return torch.einsum('i,i->i', a, b)\n")
    evidence = Evidence(student=observed(), reference=None, submission_dir=tmp_path, ctx=context())
    spec = make_spec("source", **EINSUM)
    assert KINDS["source"].score(spec, evidence).fraction == 1.0
    tmp_path.joinpath("question1.py").write_text("def element_wise_multiplication(a, b):\n    return a * b\n")
    assert KINDS["source"].score(spec, evidence).fraction == 1.0, "the memo holds the tree read first"
    assert list(evidence.memo) == [("ast", "question1.py"), ("names", "question1.py")]


def test_a_source_check_needs_rules_and_each_pattern_one_field():
    with pytest.raises(ValidationError, match="needs `require:` or `forbid:`"):
        make_spec("source", within=["f"])
    with pytest.raises(ValidationError, match="exactly one of"):
        make_spec("source", require=[{"call": "torch.einsum", "method": "einsum"}])
    with pytest.raises(ValidationError, match="not a Python expression"):
        make_spec("source", require=[{"expr": "torch.sum((_ - _) **"}])


MSE_SUM = {"within": ["gd_factorise_ad"], "require": [{"any_of": [
    {"call": "torch.nn.functional.mse_loss", "keyword": "reduction='sum'"},
    {"call": "torch.nn.MSELoss", "keyword": "reduction='sum'"},
    {"expr": "torch.sum((_ - _) ** 2)"}, {"expr": "((_ - _) ** 2).sum()"}],
    "why": "the squared Frobenius norm is a sum"}]}


@pytest.mark.parametrize("loss", [
    "torch.nn.functional.mse_loss(U @ V.T, A, reduction='sum')",
    "F.mse_loss(A, U @ V.T, reduction='sum')",
    "L(U @ V.T, A, reduction='sum')",
    "nn.MSELoss(reduction='sum')(U @ V.T, A)",
    "torch.sum((A - U @ V.T) ** 2)",
    "((U @ V.t() - A) ** 2).sum()",
    "summed(U @ V.T, A)",
])
def test_equivalent_forms_and_names_bound_as_python_binds_them(tmp_path, loss):
    verdict = judged(tmp_path, f"""
        import functools
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.nn.functional import mse_loss as L
        summed = functools.partial(F.mse_loss, reduction='sum')
        def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
            U = torch.rand(A.shape[0], rank, requires_grad=True)
            V = torch.rand(A.shape[1], rank, requires_grad=True)
            loss = {loss}
            return U, V
    """, **MSE_SUM)
    assert verdict.fraction == 1.0, verdict.message


def test_the_mean_is_none_of_the_forms(tmp_path):
    verdict = judged(tmp_path, """
        import torch.nn.functional as F
        def gd_factorise_ad(A, rank):
            return F.mse_loss(U @ V.T, A)
    """, **MSE_SUM)
    assert verdict.message.startswith("`gd_factorise_ad` does not use one of: call torch.nn.functional.mse_loss with "
                                      "reduction='sum', call torch.nn.MSELoss with reduction='sum', expr torch.sum(")
    assert verdict.message.endswith("(the squared Frobenius norm is a sum)")


def test_aliases_by_assignment_bound_methods_and_getattr(tmp_path):
    verdict = judged(tmp_path, """
        import torch
        import torch.nn.functional as F
        loss_fn = F.cross_entropy
        init = torch.randn
        W1 = init(4, 12)
        class Trainer:
            def __init__(self):
                self.objective = F.cross_entropy
            def step(self, x, y, opt):
                clear = opt.zero_grad
                clear()
                return self.objective(x, y) + loss_fn(x, y)
        e = getattr(torch, "ein" "sum")
    """, require=[{"call": "torch.nn.functional.cross_entropy"}, {"call": "torch.randn"}, {"method": "zero_grad"},
                  {"call": "torch.einsum"}])
    assert verdict.fraction == 0.0 and verdict.message == "question1.py does not use call torch.einsum"
    shadowed = judged(tmp_path / "b", """
        import torch
        def f(x):
            init = torch.zeros
            return init(3)
        init = torch.randn
    """, within=["f"], require=[{"call": "torch.randn"}])
    assert shadowed.message == "`f` does not use call torch.randn", "a local name hides the module's"


def test_a_helper_the_function_calls_counts_and_dead_code_does_not(tmp_path):
    helper = judged(tmp_path, """
        import torch
        def _product(a, b):
            return torch.einsum("ijkl,ijkl->ijkl", a, b)
        def element_wise_multiplication(a, b):
            return _product(a, b)
    """, **EINSUM)
    assert helper.fraction == 1.0
    for dead in ("USE_EINSUM = False\n", "USE_EINSUM = 0\n", "MODE = 'plain'\nUSE_EINSUM = MODE == 'einsum'\n"):
        verdict = judged(tmp_path / str(len(dead)), dead + """
import torch
def element_wise_multiplication(a, b):
    if USE_EINSUM:
        return torch.einsum("ijkl,ijkl->ijkl", a, b)
    return a * b
""", **EINSUM)
        assert (verdict.fraction, dead) == (0.0 if "MODE" not in dead else 1.0, dead), verdict.message
        if verdict.fraction == 0:
            assert verdict.message == ("`element_wise_multiplication` uses call torch.einsum only where it never runs "
                                       "(line 6) (the question asks for Einstein notation)")
    after_return = judged(tmp_path / "r", """
        import torch
        def element_wise_multiplication(a, b):
            return a * b
            return torch.einsum("ijkl,ijkl->ijkl", a, b)
    """, **EINSUM)
    assert after_return.fraction == 0.0
    flag_set_later = judged(tmp_path / "s", """
        import torch
        USE_EINSUM = False
        def element_wise_multiplication(a, b):
            if USE_EINSUM:
                return torch.einsum("ijkl,ijkl->ijkl", a, b)
            return a * b
        USE_EINSUM = True
    """, **EINSUM)
    assert flag_set_later.fraction == 1.0, "a flag bound twice is not a constant: the branch may run"


def test_forbidden_code_counts_even_where_it_never_runs(tmp_path):
    verdict = judged(tmp_path, """
        CHECK = False
        def backward(self, loss):
            if CHECK:
                loss.backward()
            self.dW1 = 1
    """, **NO_AUTOGRAD)
    assert verdict.message == "line 5: .backward() is not allowed (loss.backward() is autograd)"


def test_a_close_name_stands_in_for_a_missing_function(tmp_path):
    verdict = judged(tmp_path, "import torch\ndef elementwise_multiplication(a, b):\n"
                               "    return torch.einsum('i,i->i', a, b)\n", **EINSUM)
    assert verdict.fraction == 1.0
    assert [(d.kind, d.text) for d in verdict.deviations] == [
        ("name", "`elementwise_multiplication` was graded as `element_wise_multiplication`, the name the handout "
                 "asks for")]
    claimed = score(make_spec("source", **EINSUM), observed(),
                    folder=hand_in(tmp_path / "c", "import torch\ndef elementwise_multiplication(a, b):\n"
                                                   "    return torch.einsum('i,i->i', a, b)\n"),
                    ctx=context(interface=("element_wise_multiplication", "elementwise_multiplication")))
    assert claimed.message == "no top-level `element_wise_multiplication` to look in"


def test_required_code_in_a_file_that_does_not_import_earns_nothing(tmp_path):
    hand_in(tmp_path, "import torch\nwhile True:\n    pass\ndef element_wise_multiplication(a, b):\n"
                      "    return torch.einsum('i,i->i', a, b)\n")
    student = FileObservations(module_file="question1.py", imported=ImportInfo(
        status="timeout", detail="importing the file did not finish within 20 s"))
    verdict = score(make_spec("source", **EINSUM), student, folder=tmp_path)
    assert (verdict.fraction, verdict.message) == (0.0, "question1.py does not import (importing the file did not "
                                                        "finish within 20 s), so the code these rules ask for never runs")


STARTER = '''
import torch

class MLP:
    def __init__(self, d, h, lr):
        """Weights from torch.randn."""
        raise NotImplementedError("write __init__")

    def backward(self, loss):
        """Fill dW1 and dW2."""
        raise NotImplementedError

def plot(losses):
    import matplotlib.pyplot as plt
    plt.plot(losses)

def seeded(seed):
    torch.manual_seed(seed)
    return torch.einsum("i->i", torch.ones(2))
'''


def test_rules_earn_nothing_for_work_not_done(tmp_path):
    starter = tmp_path / "starter"
    starter.mkdir()
    (starter / "question2.py").write_text(STARTER)
    ctx = context(starter=starter, interface=("MLP", "backward", "seeded"))
    bare = score(make_spec("source", **NO_AUTOGRAD), observed(module_file="question2.py"),
                 folder=hand_in(tmp_path / "bare", STARTER, "question2.py"), ctx=ctx)
    assert (bare.fraction, bare.message) == (0.0, "`MLP`, `seeded` are empty or the starter's code unchanged, so "
                                                  "there is nothing to judge yet")
    done = STARTER.replace('raise NotImplementedError\n', 'self.dW1 = self.x.T @ loss\n')
    work = score(make_spec("source", **NO_AUTOGRAD), observed(module_file="question2.py"),
                 folder=hand_in(tmp_path / "work", done, "question2.py"), ctx=ctx)
    assert work.fraction == 1.0, work.message
    kept = score(make_spec("source", within=["seeded"], require=[{"call": "torch.einsum"}]),
                 observed(module_file="question2.py"),
                 folder=hand_in(tmp_path / "kept", STARTER.replace('"""Fill', '"""Now fill'), "question2.py"), ctx=ctx)
    assert kept.message == "`seeded` is the starter's code unchanged, so the rules earn nothing yet"


def test_a_definition_is_fingerprinted_once_and_only_where_the_starter_has_its_name():
    """Several source checks of a file compare the same definitions with the starter's: the fingerprint of a
    parsed node is computed once, and not at all for a name the starter does not define."""
    import ast

    from grader.checks.source import _is_starters, fingerprint

    tree = ast.parse("def f(x):\n    '''doc'''\n    return x + 1\n\ndef g():\n    pass\n")
    f, g = tree.body
    starter = {"f": fingerprint(ast.parse("def f(x):\n    return x + 1\n").body[0])}
    before = fingerprint.cache_info()
    assert _is_starters("f", f, starter) and _is_starters("f", f, starter)
    assert not _is_starters("g", g, starter)
    after = fingerprint.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
