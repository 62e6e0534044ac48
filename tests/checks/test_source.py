"""``kind: source``: rules on the student's file read as an AST, all or nothing, every broken rule named."""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from pydantic import ValidationError

from grader.checks.base import Evidence
from grader.checks.registry import KINDS
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


def test_nothing_runs():
    plan = plan_of(make_spec("source", **EINSUM))
    assert plan.student == [] and plan.reference == []


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
    assert list(evidence.memo) == [("ast", "question1.py")]


def test_a_source_check_needs_rules_and_each_pattern_one_field():
    with pytest.raises(ValidationError, match="needs `require:` or `forbid:`"):
        make_spec("source", within=["f"])
    with pytest.raises(ValidationError, match="exactly one of"):
        make_spec("source", require=[{"call": "torch.einsum", "method": "einsum"}])
