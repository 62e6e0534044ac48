"""A weight stored in the other layout: accepted by value checks that say so, never by default."""
from __future__ import annotations

import torch

from grader.checks.layouts import transposed
from tests.checks.conftest import as_value, make_spec, observed, ok, plan_of, score

READ = {"object": {"class": "Model", "args": [5, 3]}, "read": "U"}


def test_value_check_accepts_the_transposed_weight_only_when_asked():
    spec = make_spec("value", **READ)
    (probe,) = plan_of(spec).student
    weight = torch.arange(15.0).reshape(5, 3)
    reference = observed(ok(probe.id, {"U": weight}, whole=True))
    stored_transposed = observed(ok(probe.id, {"U": weight.T.contiguous()}))
    verdict = score(spec, stored_transposed, reference)
    assert verdict.fraction == 0.0 and "shape (3, 5), expected (5, 3)" in verdict.message
    accepting = make_spec("value", **READ, accept_transposed=True)
    assert score(accepting, stored_transposed, reference).fraction == 1.0
    wrong = observed(ok(probe.id, {"U": weight.T + 1}))
    verdict = score(accepting, wrong, reference)
    assert verdict.fraction == 0.0 and verdict.message.endswith("(nor in the transposed layout)")


def test_what_has_another_layout():
    assert transposed(as_value(torch.zeros(2, 3))).tensor.shape == (3, 2)
    assert transposed(as_value(torch.zeros(4, 2, 3))).tensor.shape == (4, 3, 2)
    assert transposed(as_value([torch.zeros(2, 3), torch.zeros(1, 4)])).items[1].tensor.shape == (4, 1)
    assert transposed(as_value(torch.zeros(3))) is None and transposed(as_value(torch.zeros(1, 1))) is None
    assert transposed(as_value(2.0)) is None and transposed(as_value([torch.zeros(2, 3), 1.0])) is None


def test_a_one_by_one_loss_is_the_scalar_unless_the_check_asks_for_the_exact_shape():
    spec = make_spec("value", call="loss", args=[{"tensor": [1, 3]}])
    (probe,) = plan_of(spec).student
    reference = observed(ok(probe.id, {"result": torch.tensor(2.5)}, whole=True))
    kept = observed(ok(probe.id, {"result": torch.tensor([[2.5]])}))
    assert score(spec, kept, reference).fraction == 1.0, "a one-element result is its value by default"
    exact = make_spec("value", call="loss", args=[{"tensor": [1, 3]}], shape="exact")
    assert score(exact, kept, reference).message == "trial 1: shape (1, 1), expected ()"
    verdict = score(spec, observed(ok(probe.id, {"result": torch.tensor([2.5, 2.5])})), reference)
    assert verdict.fraction == 0.0 and "shape (2,), expected ()" in verdict.message