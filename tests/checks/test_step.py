"""``kind: step``: one optimiser step moves every parameter to ``W - lr * dW``, computed in the parent."""
from __future__ import annotations

import torch

from tests.checks.conftest import inputs_of, make_spec, observed, ok, plan_of, raised, score, stopped

SGD_STEP = {
    "object": {"class": "MLP", "args": [6, 4, 0.03]},
    "attributes": {"W1": {"tensor": [6, 4]}, "W2": {"tensor": [4, 1]}, "dW1": {"tensor": [6, 4]},
                   "dW2": {"tensor": [4, 1]}},
    "call": "sgd_step", "lr": 0.03, "updates": {"W1": "dW1", "W2": "dW2"}, "trials": 2,
}


def stepped(probe, lr: float = 0.03, sign: float = -1.0, skip: str = "") -> dict[str, torch.Tensor]:
    """A student's parameters after ``sgd_step``: ``W + sign * lr * dW`` (``skip``: a parameter left unchanged)."""
    t = inputs_of(probe)
    return {w: t[f"attr.{w}"] if w == skip else t[f"attr.{w}"] + sign * lr * t[f"attr.d{w}"] for w in ("W1", "W2")}


def setup(**fields):
    """The spec and its student probes."""
    spec = make_spec("step", **{**SGD_STEP, **fields})
    return spec, plan_of(spec).student


def students(probes, **how):
    """Observations of a student whose step leaves the parameters as ``stepped(**how)``."""
    return observed(*(ok(p.id, stepped(p, **how)) for p in probes), module_file="question2.py")


def test_plan_runs_the_student_only_and_observes_each_parameter():
    spec, probes = setup()
    plan = plan_of(spec)
    assert plan.reference == [] and len(probes) == 2
    assert [s.set for s in probes[0].steps if s.set] == ["obj.W1", "obj.W2", "obj.dW1", "obj.dW2"]
    assert [(s.read, s.observe) for s in probes[0].steps if s.read] == [("obj.W1", "W1"), ("obj.W2", "W2")]


def test_a_correct_step_earns_full_marks_without_any_reference():
    spec, probes = setup()
    verdict = score(spec, students(probes), reference=None)
    assert (verdict.fraction, verdict.message) == (1.0, "`sgd_step` moves each parameter to W - lr * dW on all 2 trials")


def test_a_step_up_the_gradient_or_with_another_rate_fails():
    spec, probes = setup()
    for how in ({"sign": 1.0}, {"lr": 0.3}):
        verdict = score(spec, students(probes, **how))
        assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
        assert "after one step W1 should be W1 - lr * dW1 with lr=0.03; " in verdict.message
        assert "values differ" in verdict.message


def test_a_parameter_left_unchanged_is_named():
    spec, probes = setup()
    verdict = score(spec, students(probes, skip="W2"))
    assert verdict.fraction == 0.0 and "after one step W2 should be W2 - lr * dW2 with lr=0.03" in verdict.message


def test_one_wrong_trial_of_two_is_half_the_points():
    spec, probes = setup()
    student = students(probes)
    student.probes[probes[1].id] = ok(probes[1].id, stepped(probes[1], sign=1.0))
    verdict = score(spec, student)
    assert (verdict.fraction, verdict.final_status()) == (0.5, "partial")
    assert verdict.message.startswith("passed 1 of 2 trials; trial 2: after one step W1")


def test_tolerance_edges():
    spec, probes = setup(trials=1)
    expected = {w: v.double() for w, v in stepped(probes[0]).items()}

    def nudged(share: float):
        values = {w: (e + share * (1e-6 + 1e-5 * e.abs())).float() for w, e in expected.items()}
        return observed(ok(probes[0].id, values))

    assert score(spec, nudged(0.9)).fraction == 1.0
    verdict = score(spec, nudged(1.1))
    assert verdict.fraction == 0.0 and "(tolerance rtol=1e-05, atol=1e-06)" in verdict.message


def test_a_parameter_that_is_no_longer_a_tensor_or_is_missing():
    spec, probes = setup(trials=1)
    values = stepped(probes[0])
    verdict = score(spec, observed(ok(probes[0].id, {**values, "W1": None})))
    assert verdict.fraction == 0.0 and verdict.message == "trial 1: `W1` is not a tensor after the step (None)"
    verdict = score(spec, observed(ok(probes[0].id, {"W1": values["W1"]})))
    assert verdict.message == "trial 1: `W2` is not a tensor after the step (missing)"


def test_a_step_that_raised_or_crashed():
    spec, probes = setup()
    student = observed(raised(probes[0].id, "AttributeError", "'MLP' object has no attribute 'dW1'"),
                       stopped(probes[1].id, "crashed", "the process exited with status 1 before finishing"))
    verdict = score(spec, student)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "error")
    assert verdict.message == "your code raised AttributeError: 'MLP' object has no attribute 'dW1'"
