"""``kind: metric``: one number a driver measures must lie within ``at_least``/``at_most`` (edges included)."""
from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from tests.checks.conftest import make_spec, observed, ok, plan_of, raised, score, stopped

RANK2_LOSS = {"driver": "iris_factorisation_loss", "function": "gd_factorise_ad", "metric": "the rank-2 loss",
              "driver_args": {"rank": 2}, "at_most": 15.5}
ACCURACY = {"driver": "iris_mlp_accuracy", "metric": "the validation accuracy", "at_least": 0.4, "at_most": 1.0}
REFERENCE = observed(ok("c", {"metric": 15.2046}, whole=True))


def measured(value, **fields):
    """Score a student whose measurement came back as ``value`` against a reference that measured 15.2046."""
    spec = make_spec("metric", **{**RANK2_LOSS, **fields})
    return score(spec, observed(ok("c", {"metric": value})), REFERENCE)


def test_plan_measures_the_same_way_on_both_sides():
    spec = make_spec("metric", **RANK2_LOSS)
    plan = plan_of(spec)
    (probe,) = plan.student
    assert plan.reference == [probe] and probe.id == "c"
    read, measure = probe.steps
    assert (read.read, read.save) == ("gd_factorise_ad", "subject")
    assert (measure.driver, measure.args, measure.observe) == ("iris_factorisation_loss", [{"var": "subject"}], "metric")
    assert measure.kwargs == {"rank": 2, "seed": probe.seed}
    (module,) = plan_of(make_spec("metric", **ACCURACY)).student[0].steps
    assert module.args == [{"module": True}]


def test_a_value_within_bounds_earns_full_marks_beside_the_reference():
    verdict = measured(15.21)
    assert (verdict.fraction, verdict.message) == (1.0, "the rank-2 loss is 15.21 (<= 15.5) (the reference: 15.2046)")


def test_bounds_are_inclusive_and_just_outside_fails():
    assert measured(15.5).fraction == 1.0
    assert measured(15.500001).fraction == 0.0
    verdict = measured(15.5001)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert verdict.message == "the rank-2 loss is 15.5001, needed <= 15.5 (the reference: 15.2046)"
    spec = make_spec("metric", **ACCURACY)
    reference = observed(ok("c", {"metric": 0.6}, whole=True))
    assert score(spec, observed(ok("c", {"metric": 0.4})), reference).fraction == 1.0
    verdict = score(spec, observed(ok("c", {"metric": 0.3999})), reference)
    assert verdict.message == "the validation accuracy is 0.3999, needed >= 0.4 and <= 1 (the reference: 0.6)"


def test_a_one_element_tensor_is_a_number():
    assert measured(torch.tensor([15.3])).fraction == 1.0
    assert measured(torch.tensor(15.3, dtype=torch.float64)).fraction == 1.0


def test_anything_else_cannot_be_measured():
    for value in ("15.2", torch.ones(2), [15.2], None):
        verdict = measured(value)
        assert (verdict.fraction, verdict.message) == (0.0, ("the rank-2 loss could not be measured from what the "
                                                            "code returned"))


def test_nan_and_infinity_never_pass():
    assert measured(float("nan")).message == "the rank-2 loss is nan (the reference: 15.2046)"
    assert measured(float("-inf")).fraction == 0.0
    assert measured(float("inf"), at_most=None, at_least=0.0).fraction == 0.0


def test_a_driver_that_could_not_measure_is_an_error():
    spec = make_spec("metric", **RANK2_LOSS)
    looked = observed(raised("c", "LookupError", "the module defines no W1, W2, b1, b2 and no train_mlp"))
    verdict = score(spec, looked, REFERENCE)
    assert (verdict.final_status(), verdict.message) == (
        "error", "the rank-2 loss could not be measured: the module defines no W1, W2, b1, b2 and no train_mlp")
    verdict = score(spec, observed(stopped("c", "timeout", "did not finish within 20 s and was stopped")), REFERENCE)
    assert verdict.message == "the rank-2 loss could not be measured: the call did not finish within 20 s and was stopped"


def test_the_reference_is_only_shown_so_its_absence_costs_nothing():
    spec = make_spec("metric", **RANK2_LOSS)
    verdict = score(spec, observed(ok("c", {"metric": 15.3})), None)
    assert (verdict.fraction, verdict.message) == (1.0, "the rank-2 loss is 15.3 (<= 15.5)")
    verdict = score(spec, observed(ok("c", {"metric": 15.3})), observed(raised("c", "ValueError", "no iris")))
    assert verdict.message == "the rank-2 loss is 15.3 (<= 15.5)"


def test_a_metric_needs_a_bound():
    with pytest.raises(ValidationError, match="needs `at_most:` or `at_least:`"):
        make_spec("metric", driver="iris_mlp_accuracy")
