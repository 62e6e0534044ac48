"""``kind: gradient``: hand-written gradients against autograd of the reference's forward on the same inputs."""
from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from tests.checks.conftest import context, inputs_of, make_spec, observed, ok, plan_of, raised, score

MLP_GRADIENT = {
    "object": {"class": "MLP", "args": [{"dim": "d"}, {"dim": "h"}, 0.03]},
    "attributes": {"W1": {"tensor": ["d", "h"]}, "W2": {"tensor": ["h", 1]}},
    "setup": [{"call": "forward", "args": [{"tensor": [1, "d"]}, {"tensor": [1, 1]}], "save": "loss"}],
    "call": "backward", "args": [{"var": "loss"}],
    "gradients": {"dW1": "W1"}, "dims": {"d": [3, 7], "h": [2, 5]}, "trials": 3,
}


def autograd_reference(probe) -> dict:
    """What the reference run observes: autograd of l = (relu(x W1) W2 - y)^2 with respect to W1."""
    t = inputs_of(probe)
    loss = ((torch.relu(t["setup0.arg0"] @ t["attr.W1"]) @ t["attr.W2"] - t["setup0.arg1"]) ** 2).sum()
    return {"autograd": list(torch.autograd.grad(loss, [t["attr.W1"]]))}


def by_hand(probe, *, factor: float = 2.0, transpose: bool = False) -> torch.Tensor:
    """A student's dW1: x^T (relu'(a) * factor (y' - y) W2^T), relu'(a) = 1 for a >= 0."""
    t = inputs_of(probe)
    x, w1, w2, y = t["setup0.arg0"], t["attr.W1"], t["attr.W2"], t["setup0.arg1"]
    a = x @ w1
    grad = x.T @ ((a >= 0).float() * (factor * (torch.relu(a) @ w2 - y) @ w2.T))
    return grad.T if transpose else grad


def setup(**fields):
    """The spec, the student's probes and the reference's autograd observations."""
    spec = make_spec("gradient", **{**MLP_GRADIENT, **fields})
    plan = plan_of(spec)
    reference = observed(*(ok(p.id, autograd_reference(p), whole=True) for p in plan.reference))
    return spec, plan.student, reference


def students(probes, **how) -> object:
    """Observations of a student whose backward() sets dW1 as ``by_hand(**how)`` computes it."""
    return observed(*(ok(p.id, {"dW1": by_hand(p, **how)}) for p in probes))


def test_plan_differentiates_the_reference_forward_on_the_students_inputs():
    spec = make_spec("gradient", **MLP_GRADIENT)
    plan = plan_of(spec)
    student, reference = plan.student[0], plan.reference[0]
    assert [s.call for s in student.steps if s.call] == ["MLP", "obj.forward", "obj.backward"]
    assert student.steps[-1].read == "obj.dW1" and student.steps[-1].observe == "dW1"
    assert [s.call for s in reference.steps if s.call] == ["MLP", "obj.forward"], "the reference never runs backward"
    assert reference.steps[-1].grad == "loss" and reference.steps[-1].wrt == [{"input": "attr.W1"}]
    assert reference.inputs["attr.W1"].requires_grad and not student.inputs["attr.W1"].requires_grad
    same = zip(inputs_of(student).values(), inputs_of(reference).values())
    assert student.seed == reference.seed and all(torch.equal(a, b.detach()) for a, b in same)


def test_gradients_written_by_hand_earn_full_marks():
    spec, probes, reference = setup()
    verdict = score(spec, students(probes), reference)
    assert (verdict.fraction, verdict.message) == (1.0, "dW1 match autograd on all 3 trials")


def test_a_missing_factor_of_two_fails_and_names_the_gradient():
    spec, probes, reference = setup()
    verdict = score(spec, students(probes, factor=1.0), reference)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert "trial 1 (d=" in verdict.message
    assert "dW1 (the gradient of the loss with respect to W1) — " in verdict.message and "values differ" in verdict.message


def test_a_transposed_gradient_is_caught_by_its_shape():
    spec, probes, reference = setup(dims={"d": [7], "h": [5]}, trials=1)
    verdict = score(spec, students(probes, transpose=True), reference)
    assert verdict.fraction == 0.0 and "shape (5, 7), expected (7, 5). Your `dW1` equals the correct `dW1` transposed" in verdict.message


def test_tolerance_edges_use_the_default_rtol_and_atol():
    spec, probes, reference = setup()
    def nudged(share: float):
        out = []
        for p in probes:
            expected = reference.probes[p.id].values["autograd"].items[0].tensor.double()
            out.append(ok(p.id, {"dW1": (expected + share * (1e-5 + 1e-4 * expected.abs())).float()}))
        return observed(*out)

    assert score(spec, nudged(0.9), reference).fraction == 1.0
    assert score(spec, nudged(1.1), reference).fraction == 0.0


def test_gpu_tolerance_applies_on_cuda():
    spec, probes, reference = setup(gpu_tolerance={"rtol": 0, "atol": 1.0})
    off = observed(*(ok(p.id, {"dW1": by_hand(p) + 0.5}) for p in probes))
    assert score(spec, off, reference).fraction == 0.0
    assert score(spec, off, reference, ctx=context(device="cuda")).fraction == 1.0


def test_a_gradient_never_set_or_a_missing_attribute():
    spec, probes, reference = setup(trials=1)
    verdict = score(spec, observed(ok(probes[0].id, {})), reference)
    assert verdict.fraction == 0.0 and verdict.message.endswith("`dW1` was not set by backward()")
    verdict = score(spec, observed(raised(probes[0].id, "MissingName", "obj.dW1")), reference)
    assert verdict.final_status() == "error" and verdict.message == "the object has no attribute `dW1`"


def test_a_backward_that_raises_in_one_trial_costs_that_trial():
    spec, probes, reference = setup()
    student = students(probes)
    student.probes[probes[0].id] = raised(probes[0].id, "RuntimeError", "mat1 and mat2 shapes cannot be multiplied",
                                          ("question2.py, line 30",))
    verdict = score(spec, student, reference)
    assert verdict.fraction == 2 / 3 and verdict.final_status() == "partial"
    assert verdict.message.startswith("passed 2 of 3 trials; trial 1 (d=")
    assert verdict.message.endswith("your code raised RuntimeError: mat1 and mat2 shapes cannot be multiplied "
                                    "(question2.py, line 30)")


def test_the_spec_refuses_gradients_it_cannot_compute():
    with pytest.raises(ValidationError, match="not set in `attributes`"):
        make_spec("gradient", **{**MLP_GRADIENT, "gradients": {"db": "b"}})
    with pytest.raises(ValidationError, match="no setup call saves `loss`"):
        make_spec("gradient", **{**MLP_GRADIENT, "setup": []})
