"""The shipped examples and the reference's own mutants, graded end to end: every diagnosis the grader speaks is
the mistake the code makes (decided by reading each example), and no example is a grader error."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.assignments import find_assignment
from grader.diagnosis.mutant_runs import diagnosed_plan, known_mistakes
from grader.grading import score_question
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.sandbox.parent.pool import make_launcher

pytestmark = pytest.mark.slow

# (assignment, student, check) -> the mistakes named, in order: transforms first, then the reference's mutants
DIAGNOSED = {
    ("comp4901y-hw1", "carol_wrong_shape", "aggregate.values"): ["kept 2"],  # sum(dim=2, keepdim=True)
    ("comp4901y-hw1", "dave_transposed_grad", "gradient.W1"): ["transposed"],  # dW1 = (x^T g)^T
    ("mlg-tutorial3", "ben_missing_factor_two", "mse_grad_analytic.values"):
        ["scaled 0.5", "dropped-factor-2:mse_grad_analytic:factor of 2 dropped"],  # X.T @ (X @ w - y)
    ("mlg-tutorial3", "gil_notebook_redefined", "mse_grad_analytic.values"):
        ["scaled 0.5", "dropped-factor-2:mse_grad_analytic:factor of 2 dropped"],  # the last cell's version
    ("pset09-autodiff", "boris_no_zero_grad", "p2_1.fit"):
        ["missing-zero_:train_linear:gradient reset (.zero_()) removed"],
    ("pset09-autodiff", "boris_no_zero_grad", "p2_5.momentum"):
        ["missing-zero_:train_linear:gradient reset (.zero_()) removed"],
    ("pset09-autodiff", "fay_transpose_missing", "p1_4.grad"):  # 2 * A where 2 * A.T is the gradient
        ["transposed", "transpose:trace_square_grad:right operand of @ transposed"],
}
ASSIGNMENTS = ("mlg-tutorial3", "pset09-autodiff")


@pytest.fixture(scope="module")
def batches(example_batch) -> dict[str, Path]:
    """The comp4901y-hw1 examples and those of two more assignments (each graded once per session)."""
    out = {}
    for assignment in ("comp4901y-hw1", *ASSIGNMENTS):
        code, out[assignment] = example_batch(assignment)
        assert code == 0
    return out


def _checks(folder: Path):
    for path in sorted((folder / "results").glob("*.json")):
        result = json.loads(path.read_text())
        for question in result["questions"]:
            for check in question["checks"]:
                yield result["student"], check


def test_each_example_gets_exactly_the_diagnoses_its_mistakes_call_for(batches):
    seen = {}
    for assignment, folder in batches.items():
        for student, check in _checks(folder):
            named = [key for d in check["details"].get("diagnosis", []) for key in d["mistakes"]]
            if named:
                seen[(assignment, student, check["id"])] = named
            assert check["status"] != "grader_error", (student, check["message"])
    assert seen == DIAGNOSED


def test_the_diagnosis_reads_as_a_sentence_after_the_comparison(batches):
    messages = {(s, c["id"]): c["message"] for s, c in _checks(batches["comp4901y-hw1"])}
    assert messages[("dave_transposed_grad", "gradient.W1")].endswith(
        "Your `dW1` equals the correct `dW1` transposed (on each of the 4 failed trials).")
    assert messages[("carol_wrong_shape", "aggregate.values")].endswith(
        "Your result equals the correct result with an extra dimension of size 1 at dim 2 (on each of the 5 failed "
        "trials).")


@pytest.mark.parametrize("assignment", ["comp4901y-hw1", *ASSIGNMENTS])
def test_a_mutant_graded_as_a_student_is_named_as_itself_or_not_at_all(assignment):
    plan = GradingPlan.build(find_assignment(assignment))
    with make_launcher("auto", size=2) as launcher:
        reference, _ = reference_observations(plan, launcher)
        mistakes = known_mistakes(plan, reference, launcher, jobs=2)  # cached when a batch of this session ran
    named_itself = 0
    for qid, known in mistakes.items():
        qplan = diagnosed_plan(plan.questions[qid])
        for mistake in known:
            scored = score_question(qplan, plan.assignment.reference_dir, mistake.observations, reference[qid], known)
            for check in scored.checks:
                if check.details.get("diagnosis"):  # its own values match it: named, unless too many others fit
                    assert mistake.phrase() in check.message, (mistake.description, check.id, check.message)
                    named_itself += 1
    assert named_itself > 0
