"""``kind: gradient_flow``: the child reports, per parameter, whether a gradient of the output reaches it."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.checks.conftest import make_spec, observed, ok, plan_of, score

MODEL = {"object": {"class": "Bag", "args": [{"dim": "v"}, 4]}, "call": "forward",
         "args": [{"tensor": [2, 3], "dtype": "int64", "high": "v"}], "dims": {"v": [6, 9]}, "trials": 2}


def test_plan_builds_runs_and_asks_where_gradients_reach():
    spec = make_spec("gradient_flow", **MODEL)
    plan = plan_of(spec)
    assert plan.reference == []
    construct, forward, follow = plan.student[0].steps
    assert (construct.call, forward.call, forward.save) == ("Bag", "obj.forward", "result")
    assert follow.driver == "grader.parameter_gradients" and follow.args == [{"var": "obj"}, {"var": "result"}]
    assert follow.observe == "gradients" and follow.kwargs["names"] is None
    assert plan.student[0].steps[2].kwargs["seed"] != plan.student[1].steps[2].kwargs["seed"]


def test_a_global_model_is_read_first():
    spec = make_spec("gradient_flow", model="net", call="net", args=[{"tensor": [2, 3]}], parameters=["fc.weight"])
    read, call, follow = plan_of(spec).student[0].steps
    assert (read.read, read.save, call.call) == ("net", "obj", "net") and follow.kwargs["names"] == ["fc.weight"]


def judged(states, **fields):
    spec = make_spec("gradient_flow", **{**MODEL, **fields})
    probes = plan_of(spec).student
    return score(spec, observed(*(ok(p.id, {"gradients": states}) for p in probes)))


def test_every_parameter_reached_passes_and_lists_them():
    verdict = judged({"embed": "reached", "fc.bias": "reached", "fc.weight": "reached"})
    assert verdict.fraction == 1.0
    assert verdict.message == "a gradient reaches every parameter on all 2 trials (3: embed, fc.bias, fc.weight)"


def test_a_detached_or_frozen_parameter_fails_naming_why():
    verdict = judged({"embed": "no gradient", "fc.bias": "reached", "fc.weight": "does not require grad"})
    assert verdict.fraction == 0.0
    assert "the gradient does not reach 2 of 3 parameters — `embed`: no gradient (it is not used, or used " \
           "through .detach(), .data, .item() or numpy); `fc.weight`: does not require grad (it was frozen)" \
           in verdict.message


def test_ignored_parameters_and_a_model_without_any():
    assert judged({"embed": "reached", "buffer_like": "zero gradient"}, ignore=["buffer*"]).fraction == 1.0
    verdict = judged({})
    assert verdict.fraction == 0.0 and "the model has no parameters that require grad" in verdict.message


@pytest.mark.parametrize("fields, expected", [
    ({"object": None}, "needs one of `object:"),
    ({"model": "net"}, "needs one of `object:"),
    ({"call": None}, "needs `call:`"),
    ({"loss": "loss"}, "no setup call saves `loss`"),
])
def test_incomplete_specs_are_refused(fields, expected):
    with pytest.raises(ValidationError, match=expected):
        make_spec("gradient_flow", **{**MODEL, **fields})
