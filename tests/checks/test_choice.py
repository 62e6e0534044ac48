"""``kind: choice``: a global picked from a grid must be one of the allowed values; any of them earns the points."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from pydantic import ValidationError

from tests.checks.conftest import make_spec, observed, ok, plan_of, raised, score, stopped

GRID = {"read": "learning_rate", "allowed": [0.01, 0.03]}


def chose(value, **fields):
    """Score a student whose global came back as ``value`` (no reference is needed)."""
    spec = make_spec("choice", **{**GRID, **fields})
    return score(spec, observed(ok("c", {"value": value}), module_file="question3.py"), reference=None)


def test_plan_reads_the_global_on_the_student_side_only():
    plan = plan_of(make_spec("choice", read="model.fc.out_features", allowed=[10]))
    (probe,) = plan.student
    assert plan.reference == [] and probe.id == "c"
    assert [(s.read, s.observe) for s in probe.steps] == [("model.fc.out_features", "value")]


def test_every_allowed_value_earns_full_marks():
    for value in (0.01, 0.03, np.float32(0.03), torch.tensor(0.03).item(), torch.tensor([0.01])):
        assert chose(value).fraction == 1.0, value
    assert chose(0.03).message == "`learning_rate` = 0.03, one of 0.01, 0.03"
    assert chose(torch.tensor(0.03)).message == "`learning_rate` = 0.03, one of 0.01, 0.03"
    assert chose(64, read="batch_size", allowed=[16, 64]).message == "`batch_size` = 64, one of 16, 64"
    assert chose("adam", read="name", allowed=["sgd", "adam"]).message == "`name` = 'adam', one of sgd, adam"


def test_a_value_off_the_grid_earns_nothing_and_lists_the_grid():
    verdict = chose(0.02)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert verdict.message == "`learning_rate` is number 0.02; the handout allows 0.01, 0.03"
    assert chose(32, read="batch_size", allowed=[16, 64]).message == ("`batch_size` is number 32; the handout allows "
                                                                     "16, 64")


def test_float_rounding_is_forgiven_but_nothing_more():
    assert chose(0.1 + 0.2, allowed=[0.3]).fraction == 1.0
    assert chose(0.03 * (1 + 9e-7)).fraction == 1.0
    assert chose(0.03 * (1 + 1.1e-6)).fraction == 0.0
    assert chose(0.0, read="momentum", allowed=[0.0, 0.9]).fraction == 1.0
    assert chose(1e-11, read="momentum", allowed=[0.0, 0.9]).fraction == 0.0


def test_a_value_of_another_type_is_not_on_the_grid():
    assert chose("0.01").message == "`learning_rate` is str '0.01'; the handout allows 0.01, 0.03"
    assert chose(torch.ones(2)).message == ("`learning_rate` is tensor of shape (2,), float32; the handout allows "
                                            "0.01, 0.03")
    assert chose(None).message == "`learning_rate` is None; the handout allows 0.01, 0.03"
    assert chose(0.01, allowed=["0.01"]).fraction == 0.0


def test_an_unset_global_names_what_the_script_defines():
    spec = make_spec("choice", **GRID)
    student = observed(raised("c", "MissingName", "learning_rate"), module_file="question3.py",
                       defined=("learning_rte", "epochs"))
    verdict = score(spec, student)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "error")
    assert verdict.message == ("question3.py defines no `learning_rate` (it defines: learning_rte, epochs); "
                               "did you mean `learning_rte`?")


def test_a_read_that_never_ran_or_timed_out_is_an_error():
    spec = make_spec("choice", **GRID)
    assert score(spec, observed()).message == "the probe did not run"
    verdict = score(spec, observed(stopped("c", "timeout", "did not finish within 20 s and was stopped")))
    assert (verdict.final_status(), verdict.message) == ("error", ("the call did not finish within 20 s and was "
                                                                  "stopped"))
    verdict = score(spec, observed(ok("c", {})))
    assert verdict.message == "`learning_rate` is nothing; the handout allows 0.01, 0.03"


def test_a_grid_needs_a_value():
    with pytest.raises(ValidationError):
        make_spec("choice", read="momentum", allowed=[])
