"""``kind: trace``: which torch functions a call really ran, judged from the ops the child recorded."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.checks.conftest import make_spec, observed, ok, plan_of, raised, score, stopped

NO_AUTOGRAD = {
    "object": {"class": "MLP", "args": [5, 3, 0.03]},
    "setup": [{"call": "forward", "args": [{"tensor": [1, 5]}, {"tensor": [1, 1]}], "save": "loss"},
              {"call": "backward", "args": [{"var": "loss"}]}],
    "call": "sgd_step", "forbid_ops": ["Tensor.backward", "torch.autograd.*"], "trials": 2,
}
EINSUM = {"call": "element_wise_multiplication", "args": [{"tensor": [2, 3]}, {"tensor": [2, 3]}],
          "require_ops": ["torch.einsum"]}
HAND_WRITTEN = {"torch.matmul": 4, "torch.relu": 1, "Tensor.__mul__": 2}


def traced(spec, *per_trial: dict[str, int]):
    """Student observations whose trials recorded these ops."""
    return observed(*(ok(p.id, {"result": None}, ops=o) for p, o in zip(plan_of(spec).student, per_trial)))


def test_plan_traces_every_call_on_the_student_side_only():
    spec = make_spec("trace", **NO_AUTOGRAD)
    plan = plan_of(spec)
    assert plan.reference == [] and len(plan.student) == 2
    calls = [s for s in plan.student[0].steps if s.call]
    assert [s.call for s in calls] == ["MLP", "obj.forward", "obj.backward", "obj.sgd_step"]
    assert all(s.trace for s in calls)


def test_hand_written_ops_pass():
    spec = make_spec("trace", **NO_AUTOGRAD)
    verdict = score(spec, traced(spec, HAND_WRITTEN, HAND_WRITTEN), reference=None)
    assert (verdict.fraction, verdict.message) == (1.0, "the traced torch ops follow the rules on all 2 trials: "
                                                        "never ran Tensor.backward, torch.autograd.*")


def test_a_forbidden_op_is_named_with_its_count():
    spec = make_spec("trace", **NO_AUTOGRAD)
    hidden = {**HAND_WRITTEN, "torch.autograd.grad": 1, "torch.autograd.backward": 3}
    verdict = score(spec, traced(spec, hidden, HAND_WRITTEN))
    assert (verdict.fraction, verdict.final_status()) == (0.5, "partial")
    assert verdict.message == ("passed 1 of 2 trials; trial 1: the code ran torch.autograd.backward (3x), "
                               "torch.autograd.grad (1x), which this question does not allow")


def test_globs_match_whole_names_and_case():
    spec = make_spec("trace", **NO_AUTOGRAD)
    near_misses = {"torch.autograd_like": 1, "Tensor.backward_hook": 1, "tensor.backward": 1}
    assert score(spec, traced(spec, near_misses, near_misses)).fraction == 1.0
    assert score(spec, traced(spec, {"Tensor.backward": 1}, {})).fraction == 0.5


def test_a_required_op_that_never_ran():
    spec = make_spec("trace", **EINSUM)
    assert score(spec, traced(spec, {"torch.einsum": 1})).fraction == 1.0
    verdict = score(spec, traced(spec, {"Tensor.__mul__": 1}))
    assert (verdict.fraction, verdict.message) == (0.0, "trial 1: the code never ran torch.einsum (it ran "
                                                        "Tensor.__mul__ (1x))")


def test_a_required_op_with_alternatives():
    spec = make_spec("trace", call="gd_factorise_ad", require_ops=["Tensor.backward|torch.autograd.grad"])
    assert score(spec, traced(spec, {"torch.autograd.grad": 1000})).fraction == 1.0
    assert score(spec, traced(spec, {"Tensor.backward": 1000})).fraction == 1.0
    verdict = score(spec, traced(spec, {"torch.mm": 2000}))
    assert verdict.message == ("trial 1: the code never ran Tensor.backward or torch.autograd.grad "
                               "(it ran torch.mm (2000x))")


def test_forbidden_ops_are_judged_before_required_ones():
    spec = make_spec("trace", **EINSUM, forbid_ops=["torch.matmul"])
    verdict = score(spec, traced(spec, {"torch.matmul": 2}))
    assert verdict.message == "trial 1: the code ran torch.matmul (2x), which this question does not allow"


def test_a_call_that_raised_or_timed_out_is_an_error_not_a_pass():
    spec = make_spec("trace", **NO_AUTOGRAD)
    probes = plan_of(spec).student
    student = observed(raised(probes[0].id, "NameError", "name 'dW1' is not defined", ("question2.py, line 40",)),
                       stopped(probes[1].id, "timeout", "did not finish within 20 s and was stopped"))
    verdict = score(spec, student)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "error")
    assert verdict.message == "your code raised NameError: name 'dW1' is not defined (question2.py, line 40)"
    assert score(spec, observed()).message == "the probe did not run"


def test_a_pass_names_the_required_ops_seen():
    spec = make_spec("trace", call="f", require_ops=["torch.einsum"], forbid_ops=["Tensor.matmul"])
    verdict = score(spec, traced(spec, {"torch.einsum": 2, "Tensor.sum": 1}))
    assert verdict.message == "the traced torch ops follow the rules: ran torch.einsum (2x); never ran Tensor.matmul"


@pytest.mark.parametrize("pattern, hint", [
    ("torch.Tensor.detach", "did you mean `Tensor.detach`?"),
    ("torch.einsun", "did you mean `torch.einsum`?"),
    ("Tensor.backward|torch.autograd.gradd", "op pattern `torch.autograd.gradd` matches no name"),
])
def test_a_pattern_no_recorded_op_can_match_is_refused(pattern, hint):
    with pytest.raises(ValidationError, match="matches no name the trace records") as info:
        make_spec("trace", call="f", forbid_ops=[pattern])
    assert hint in str(info.value)
    make_spec("trace", call="f", forbid_ops=["Tensor.detach", "torch.autograd.*", "Tensor.T.get"],
              require_ops=["torch.nn.functional.embedding|Tensor.__getitem__|Tensor.index_select"])
