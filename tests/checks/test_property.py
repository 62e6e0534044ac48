"""``kind: property``: finite, within bounds, initialised, mean and spread — no reference needed."""
from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from tests.checks.conftest import make_spec, observed, ok, plan_of, raised, score

INIT = {"object": {"class": "Model", "args": [50, 8]}, "read": "embed", "initialised": True,
        "at_least": -1, "at_most": 1, "std": [0.2, 0.8]}


def judged(value, **fields):
    spec = make_spec("property", **{**INIT, **fields})
    (probe,) = plan_of(spec).student
    assert plan_of(spec).reference == []
    return score(spec, observed(ok(probe.id, {"embed": value})))


def test_a_good_initialisation_passes_and_says_what_was_checked():
    verdict = judged(torch.rand(50, 8) - 0.5)
    assert verdict.fraction == 1.0
    assert verdict.message == "`embed` is finite, within [-1, 1], initialised, std in [0.2, 0.8]"


@pytest.mark.parametrize("value, expected", [
    (torch.zeros(50, 8), "holds only the value 0: it looks uninitialised"),
    (torch.full((50, 8), 0.5), "holds only the value 0.5"),
    (torch.randn(50, 8) * 3, "has values below -1 (smallest"),
    (torch.rand(50, 8) * 0.01, "has std 0.00"),
    (torch.tensor([[0.1, float("nan")], [0.2, 0.3]]), "has 1 non-finite value (first at [0, 1]: nan)"),
    (torch.zeros(0, 8), "is empty"),
    ("weights", "returned a str 'weights', expected a tensor or numbers"),
])
def test_each_broken_property_is_named(value, expected):
    verdict = judged(value)
    assert verdict.fraction == 0.0 and expected in verdict.message, verdict.message


def test_every_tensor_of_a_tuple_is_checked_and_named():
    spec = make_spec("property", call="probabilities", args=[{"tensor": [4, 3]}], at_least=0, at_most=1)
    (probe,) = plan_of(spec).student
    good = torch.softmax(torch.randn(4, 3), dim=1)
    verdict = score(spec, observed(ok(probe.id, {"result": (good, good - 1)})))
    assert verdict.message.startswith("trial 1: [1] has values below 0")
    assert score(spec, observed(ok(probe.id, {"result": [good, 0.5]}))).fraction == 1.0


def test_a_raising_call_is_the_students_error():
    spec = make_spec("property", **INIT)
    (probe,) = plan_of(spec).student
    verdict = score(spec, observed(raised(probe.id, "RuntimeError", "boom")))
    assert verdict.fraction == 0.0 and verdict.final_status() == "error" and "boom" in verdict.message


def test_incoherent_ranges_are_refused():
    with pytest.raises(ValidationError, match="at_least .2. is above at_most .1."):
        make_spec("property", read="W", at_least=2, at_most=1)
    with pytest.raises(ValidationError, match=r"std: \[1, 0\] is empty"):
        make_spec("property", read="W", std=[1, 0])
    with pytest.raises(ValidationError, match="needs `call: <function>`"):
        make_spec("property")
