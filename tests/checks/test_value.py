"""``kind: value``: shape, then dtype, then values under tolerance, with points shared by the trials passed."""
from __future__ import annotations

import numpy as np
import torch

from tests.checks.conftest import answers, call_args, context, make_spec, observed, ok, plan_of, raised, score, stopped

AGGREGATE = {"call": "aggregate", "args": [{"tensor": ["d1", "d2", "d3"]}], "trials": 4,
             "dims": {"d1": [1, 3], "d2": [2, 5], "d3": [1, 4]}, "tolerance": {"rtol": 1e-5, "atol": 1e-6}}


def summed(a: torch.Tensor) -> torch.Tensor:
    """The reference: sum over the second dimension."""
    return a.sum(dim=1)


def setup(**fields):
    """The aggregate check, its student probes and the reference's observations."""
    spec = make_spec("value", **{**AGGREGATE, **fields})
    probes = plan_of(spec).student
    return spec, probes, answers(probes, summed, whole=True)


def test_plan_runs_the_same_seeded_probes_on_both_sides():
    spec, probes, _ = setup()
    plan = plan_of(spec)
    assert plan.reference == plan.student and [p.id for p in probes] == ["c.t0", "c.t1", "c.t2", "c.t3"]
    assert plan_of(spec, context()) == plan, "planning twice gives the same probes"
    assert plan_of(spec, context(question="q2")).student[0].seed != probes[0].seed
    assert probes[0].steps[-1].call == "aggregate" and probes[0].steps[-1].observe == "result"


def test_a_correct_function_earns_full_marks():
    spec, probes, reference = setup()
    verdict = score(spec, answers(probes, lambda a: torch.einsum("ijk->ik", a)), reference)
    assert (verdict.fraction, verdict.final_status()) == (1.0, "pass")
    assert verdict.message == "`aggregate` matches the reference on all 4 trials"


def test_a_kept_dimension_fails_every_trial_naming_both_shapes():
    spec, probes, reference = setup()
    verdict = score(spec, answers(probes, lambda a: a.sum(dim=1, keepdim=True)), reference)
    d1, _, d3 = call_args(probes[0])[0].shape
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert verdict.message.startswith("passed 0 of 4 trials; trial 1 (d1=")
    assert f"shape ({d1}, 1, {d3}), expected ({d1}, {d3}). Your result equals the correct result with an extra " \
        "dimension of size 1 at dim 1" in verdict.message


def test_points_are_shared_by_the_trials_passed():
    spec, probes, reference = setup()
    student = answers(probes, summed)
    for wrong in (probes[1], probes[3]):
        student.probes[wrong.id] = ok(wrong.id, {"result": summed(*call_args(wrong)) + 1})
    verdict = score(spec, student, reference)
    assert (verdict.fraction, verdict.final_status()) == (0.5, "partial")
    assert verdict.message.startswith("passed 2 of 4 trials; trial 2 (d1=") and "values differ" in verdict.message


def test_dtype_is_judged_only_where_the_rubric_demands_one():
    spec, probes, reference = setup()
    doubled = answers(probes, lambda a: summed(a).double())
    assert score(spec, doubled, reference).fraction == 1.0, "float64 values of a float32 reference are the values"
    for demand in ({"dtype": "reference"}, {"check_dtype": True}):
        verdict = score(make_spec("value", **AGGREGATE, **demand), doubled, reference)
        assert verdict.fraction == 0.0 and verdict.message.endswith("dtype float64, expected float32")
    verdict = score(make_spec("value", **AGGREGATE, dtype="float64"), answers(probes, summed), reference)
    assert verdict.message.endswith("dtype float32, expected float64 (the rubric asks for float64)")
    assert score(make_spec("value", **AGGREGATE, dtype="float64"), doubled, reference).fraction == 1.0


def test_a_one_element_result_is_its_value_whatever_its_shape():
    """comp4901y's forward: the handout's (y' - y) ** 2 is 1 x 1, the reference's loss.sum() is 0-d."""
    spec = make_spec("value", call="forward", args=[{"tensor": [1, 3]}], trials=2)
    probes = plan_of(spec).student
    reference = answers(probes, lambda x: (x.sum() - 1) ** 2, whole=True)
    kept = answers(probes, lambda x: (x.sum(dim=1, keepdim=True) - 1) ** 2)
    assert score(spec, kept, reference).fraction == 1.0
    verdict = score(make_spec("value", call="forward", args=[{"tensor": [1, 3]}], trials=2, shape="exact"), kept,
                    reference)
    assert verdict.fraction == 0.0 and verdict.message.endswith("shape (1, 1), expected ()")
    wrong = answers(probes, lambda x: (x.sum(dim=1, keepdim=True) - 2) ** 2)
    assert "values differ" in score(spec, wrong, reference).message


def test_a_size_one_draw_is_no_scalar():
    """A result with dims is squeezed only where the reference's is 0-d: a 1 x 1 sum drawn from size-1 dims
    still has to keep the reference's shape."""
    spec, probes, reference = setup(dims={"d1": [1], "d2": [2], "d3": [1]})
    verdict = score(spec, answers(probes, lambda a: a.sum(dim=1, keepdim=True)), reference)
    assert verdict.fraction == 0.0 and "shape (1, 1, 1), expected (1, 1)" in verdict.message


def test_a_longer_tuple_whose_prefix_is_the_answer_passes_with_the_deviation_noted():
    spec = make_spec("value", call="factorise", args=[{"tensor": [3, 2]}])
    probes = plan_of(spec).student
    reference = answers(probes, lambda a: (a * 2, a + 1), whole=True)
    verdict = score(spec, answers(probes, lambda a: (a * 2, a + 1, [0.5, 0.25])), reference)
    assert verdict.fraction == 1.0
    assert [(d.kind, d.text) for d in verdict.deviations] == [
        ("tuple", "returned 3 items where the handout asks for 2; the first 2 were graded")]
    wrong = score(spec, answers(probes, lambda a: (a * 3, a + 1, [0.5])), reference)
    assert wrong.fraction == 0.0 and wrong.message.startswith("trial 1: item 0: ") and wrong.deviations == []
    read = make_spec("value", read="pair")
    assert "returned 3 items, expected 2" in score(read, observed(ok("c.t0", {"pair": (1, 2, 3)})),
                                                   observed(ok("c.t0", {"pair": (1, 2)}, whole=True))).message


def test_a_numpy_array_or_none_is_not_a_tensor():
    spec, probes, reference = setup()
    verdict = score(spec, answers(probes, lambda a: summed(a).numpy()), reference)
    assert verdict.fraction == 0.0 and "numpy array of shape" in verdict.message
    assert verdict.message.endswith("float32, expected a torch.Tensor")
    verdict = score(spec, answers(probes, lambda a: None), reference)
    assert verdict.fraction == 0.0 and verdict.message.endswith("returned a None, expected a torch.Tensor")


def test_tolerance_edges_on_a_read_global():
    spec = make_spec("value", read="lr", tolerance={"rtol": 0, "atol": 1e-6})
    (probe,) = plan_of(spec).student
    assert probe.steps[-1].read == "lr" and probe.steps[-1].observe == "lr"
    reference = observed(ok(probe.id, {"lr": 0.03}, whole=True))
    inside = score(spec, observed(ok(probe.id, {"lr": 0.03 + 0.9e-6})), reference)
    outside = score(spec, observed(ok(probe.id, {"lr": 0.03 + 1.1e-6})), reference)
    assert (inside.fraction, inside.message) == (1.0, "`lr` matches the reference")
    assert outside.fraction == 0.0
    assert "got 0.0300011, expected 0.03" in outside.message and "(tolerance rtol=0, atol=1e-06)" in outside.message


def test_relative_tolerance_scales_with_the_reference():
    spec = make_spec("value", read="w", tolerance={"rtol": 1e-3, "atol": 0})
    (probe,) = plan_of(spec).student
    reference = observed(ok(probe.id, {"w": torch.full((3,), 100.0, dtype=torch.float64)}, whole=True))
    just_inside = torch.tensor([100.0, 100.099, 99.901], dtype=torch.float64)
    just_outside = torch.tensor([100.0, 100.0, 100.101], dtype=torch.float64)
    assert score(spec, observed(ok(probe.id, {"w": just_inside})), reference).fraction == 1.0
    verdict = score(spec, observed(ok(probe.id, {"w": just_outside})), reference)
    assert verdict.fraction == 0.0 and verdict.message.startswith("trial 1: 1 of 3 values differ; first at [2]: got 100.101")


def test_gpu_tolerance_applies_on_cuda_only():
    spec, probes, reference = setup(gpu_tolerance={"rtol": 0, "atol": 1e-3})
    nudged = answers(probes, lambda a: summed(a) + 1e-4)
    assert score(spec, nudged, reference, ctx=context(device="cpu")).fraction == 0.0
    assert score(spec, nudged, reference, ctx=context(device="cuda")).fraction == 1.0
    assert score(spec, nudged, reference, ctx=context(device="cuda:0")).fraction == 1.0


def test_a_missing_function_is_named_with_the_closest_definition():
    spec, probes, reference = setup()
    student = observed(*(raised(p.id, "MissingName", "aggregate") for p in probes),
                       defined=("aggregate_sum", "helper"))
    verdict = score(spec, student, reference)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "error")
    assert verdict.message == ("question1.py defines no `aggregate` (it defines: aggregate_sum, helper); "
                               "did you mean `aggregate_sum`?")


def test_probes_that_raised_timed_out_or_never_ran():
    spec, probes, reference = setup()
    boom = observed(*(raised(p.id, "ValueError", "bad axis", ("question1.py, line 3",)) for p in probes))
    verdict = score(spec, boom, reference)
    assert (verdict.final_status(), verdict.message) == ("error", ("your code raised ValueError: bad axis "
                                                                   "(question1.py, line 3)"))
    verdict = score(spec, observed(), reference)
    assert (verdict.fraction, verdict.final_status(), verdict.message) == (0.0, "error", "the probe did not run")
    student = answers(probes, summed)
    student.probes["c.t2"] = stopped("c.t2", "timeout", "did not finish within 10 s and was stopped")
    verdict = score(spec, student, reference)
    assert (verdict.fraction, verdict.final_status()) == (0.75, "partial")
    assert verdict.message.startswith("passed 3 of 4 trials; trial 3 (")
    assert verdict.message.endswith("): the call did not finish within 10 s and was stopped")


def test_an_observation_without_the_value_fails_that_trial():
    spec, probes, reference = setup(trials=1)
    verdict = score(spec, observed(ok(probes[0].id, {})), reference)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert verdict.message.endswith("`result` was not produced")


def test_a_failed_or_absent_reference_is_an_error_for_the_rubric():
    spec, probes, _ = setup()
    student = answers(probes, summed)
    reference = observed(*(raised(p.id, "RuntimeError", "reference broke") for p in probes))
    verdict = score(spec, student, reference)
    assert (verdict.final_status(), verdict.fraction) == ("grader_error", 0.0)
    assert verdict.message == ("the reference solution failed this probe (RuntimeError: reference broke); "
                               "the rubric needs fixing")
    verdict = score(spec, student, None)
    assert verdict.final_status() == "grader_error" and "run `grade reference`" in verdict.message


def test_tuples_and_numbers_are_compared_item_by_item():
    spec = make_spec("value", read="defaults", tolerance={"rtol": 0, "atol": 0})
    (probe,) = plan_of(spec).student
    reference = observed(ok(probe.id, {"defaults": (1000, 0.01)}, whole=True))
    assert score(spec, observed(ok(probe.id, {"defaults": [1000.0, np.float64(0.01)]})), reference).fraction == 1.0
    verdict = score(spec, observed(ok(probe.id, {"defaults": (65536, 0.01)})), reference)
    assert verdict.fraction == 0.0 and verdict.message.startswith("trial 1: item 0: 1 of 1 values differ")
    assert "got 65536, expected 1000" in verdict.message


def test_a_student_value_over_the_size_limit_is_not_compared_and_says_so():
    spec = make_spec("value", read="losses")
    (probe,) = plan_of(spec).student
    reference = observed(ok(probe.id, {"losses": [0.5, 0.25]}, whole=True))
    verdict = score(spec, observed(ok(probe.id, {"losses": [0.5] * 10_001})), reference)
    assert verdict.fraction == 0.0
    assert verdict.message == ("trial 1: returned a list of 10,001 items, over the limit of 10,000 (not compared), "
                               "expected a list of 2 items")
