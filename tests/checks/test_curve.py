"""``kind: curve``: half the points for a falling loss, half for ending within ``final_ratio`` x the reference's."""
from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from grader.observe import LossRecord, Observation

from tests.checks.conftest import make_spec, observed, ok, plan_of, raised, score

MLP_CURVE = {"object": {"class": "MLP", "args": [64, 64, 0.03]}, "driver": "sgd_regression",
             "driver_args": {"n": 500, "d": 64, "iterations": 2000, "record_every": 100}}
REFERENCE = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.25]  # ten points: the 10% window is one point


def curve(*losses, **fields):
    """Score a student's recorded ``losses`` against REFERENCE (fields change the spec)."""
    spec = make_spec("curve", **{**MLP_CURVE, **fields})
    return score(spec, observed(ok("c", {"losses": list(losses)})), observed(ok("c", {"losses": REFERENCE}, whole=True)))


def test_plan_builds_the_object_and_hands_it_to_the_driver_with_the_checks_seed():
    spec = make_spec("curve", **MLP_CURVE)
    plan = plan_of(spec)
    (probe,) = plan.student
    assert plan.reference == [probe] and probe.id == "c"
    build, train = probe.steps
    assert (build.call, build.args, build.save) == ("MLP", [64, 64, 0.03], "obj")
    assert (train.driver, train.args, train.observe) == ("sgd_regression", [{"var": "obj"}], "losses")
    assert train.kwargs == {**MLP_CURVE["driver_args"], "seed": probe.seed}


def test_plan_hands_a_function_or_the_whole_module():
    function = plan_of(make_spec("curve", function="sgd_demo", driver="seeded_losses")).student[0].steps
    assert (function[0].read, function[0].save) == ("sgd_demo", "subject")
    assert function[1].args == [{"var": "subject"}]
    module = plan_of(make_spec("curve", driver="logged_losses")).student[0].steps
    assert len(module) == 1 and module[0].args == [{"module": True}]
    with pytest.raises(ValidationError, match="not both"):
        make_spec("curve", **MLP_CURVE, function="train")


def test_following_the_reference_earns_full_marks_and_both_curves_are_kept():
    verdict = curve(*REFERENCE)
    assert verdict.fraction == 1.0
    assert verdict.message == ("the loss falls (mean of the last 10% 0.25 <= 0.5 x first 10% 1); "
                               "final loss 0.25 is within 1.5x the reference's 0.25")
    assert verdict.details == {"curves": {"student": REFERENCE, "reference": REFERENCE}}


def test_a_flat_curve_at_the_reference_level_earns_half():
    verdict = curve(*[0.3] * 10)
    assert (verdict.fraction, verdict.final_status()) == (0.5, "partial")
    assert verdict.message == ("the loss does not fall enough: mean of the last 10% is 0.3, needed <= 0.5 x the "
                               "first 10%'s 0.3; final loss 0.3 is within 1.5x the reference's 0.25")


def test_a_falling_curve_that_ends_too_high_earns_half():
    verdict = curve(4.0, 3.0, 2.0, 1.0)
    assert verdict.fraction == 0.5 and verdict.message.endswith("final loss 1 is above 1.5x the reference's 0.25")


def test_a_rising_curve_earns_nothing():
    verdict = curve(0.5, 0.7, 0.9, 1.1)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert "does not fall enough" in verdict.message and "is above 1.5x" in verdict.message


def test_edges_are_inclusive():
    assert curve(1.0, 0.75, 0.5, decrease=0.5, final_ratio=2.0).fraction == 1.0
    assert curve(1.0, 0.75, 0.5000001, decrease=0.5, final_ratio=None).fraction == 0.0
    verdict = curve(2.0, 1.0, 0.5000001, decrease=0.5, final_ratio=2.0)
    assert verdict.fraction == 0.5 and verdict.message.endswith("final loss 0.5 is above 2x the reference's 0.25")


def test_the_window_averages_a_share_of_the_points():
    losses = [1.0, 0.5] + [0.4] * 16 + [0.25, 0.5]  # 20 points: 10% is two, means 0.75 and 0.375
    verdict = curve(*losses, final_ratio=None)
    assert (verdict.fraction, verdict.message) == (1.0, ("the loss falls (mean of the last 10% 0.375 <= 0.5 x first "
                                                        "10% 0.75)"))
    verdict = curve(*losses, window=0.5, final_ratio=None)
    assert verdict.fraction == 0.0 and "mean of the last 50% is 0.395, needed <= 0.5 x the first 50%'s 0.47" in \
        verdict.message


def test_without_final_ratio_the_fall_alone_earns_the_points():
    assert curve(4.0, 1.0, final_ratio=None).fraction == 1.0
    assert curve(1.0, 0.9, final_ratio=None).fraction == 0.0


def test_a_diverging_run_earns_nothing_and_says_where():
    verdict = curve(1.0, 0.5, 0.3, float("nan"), 0.1)
    assert (verdict.fraction, verdict.message) == (0.0, ("the loss became nan at recorded point 4 of 5: training "
                                                        "diverged"))
    assert curve(1.0, float("inf")).message.startswith("the loss became inf at recorded point 2 of 2")


def test_tensors_in_the_list_count_as_numbers():
    assert curve(*[torch.tensor(v) for v in REFERENCE]).fraction == 1.0


def test_too_few_or_no_losses_say_what_came_back():
    verdict = curve(0.3)
    assert (verdict.fraction, verdict.message) == (0.0, "the training run recorded fewer than two losses (1)")
    spec = make_spec("curve", **MLP_CURVE)
    reference = observed(ok("c", {"losses": REFERENCE}, whole=True))
    verdict = score(spec, observed(ok("c", {"losses": list(range(10_001))})), reference)
    assert verdict.fraction == 0.0
    assert verdict.message == ("the training run did not return a list of losses: it returned list of 10,001 items, "
                               "over the limit of 10,000 (not compared)")
    verdict = score(spec, observed(ok("c", {})), reference)
    assert verdict.message == "the training run did not return a list of losses: it returned nothing"


def test_a_run_that_could_not_train_is_an_error():
    spec = make_spec("curve", **MLP_CURVE)
    reference = observed(ok("c", {"losses": REFERENCE}, whole=True))
    student = observed(raised("c", "MissingName", "MLP"), module_file="question2.py", defined=("MPL", "seed"))
    verdict = score(spec, student, reference)
    assert (verdict.final_status(), verdict.message) == ("error", ("training could not run: question2.py defines no "
                                                                  "`MLP` (it defines: MPL, seed); did you mean `MPL`?"))
    verdict = score(spec, observed(), reference)
    assert (verdict.final_status(), verdict.message) == ("error", "training could not run: the probe did not run")


def test_a_reference_without_a_usable_curve_is_an_error_for_the_rubric():
    spec = make_spec("curve", **MLP_CURVE)
    student = observed(ok("c", {"losses": REFERENCE}))
    verdict = score(spec, student, observed(raised("c", "ValueError", "driver broke")))
    assert verdict.final_status() == "grader_error" and "the rubric needs fixing" in verdict.message
    verdict = score(spec, student, observed(ok("c", {"losses": []}, whole=True)))
    assert (verdict.fraction, verdict.final_status()) == (0.0, "grader_error")
    assert verdict.message == "the reference's training run recorded no losses to compare with; the rubric needs fixing"
    assert score(make_spec("curve", **MLP_CURVE, final_ratio=None), student,
                 observed(ok("c", {"losses": []}, whole=True))).fraction == 1.0, "without final_ratio it is not needed"


# --- losses: the values of named loss functions recorded while the file ran ---------------------------------

CE = "torch.nn.functional.cross_entropy"


def recorded(probe_id: str, values: list[float], count: int | None = None) -> Observation:
    """A probe whose child recorded ``values`` of the named losses (``count`` calls: the first and last kept)."""
    count = len(values) if count is None else count
    half = len(values) // 2
    first, last = (values, values) if count == len(values) else (values[:half], values[half:])
    return Observation(probe_id=probe_id, status="ok", losses=LossRecord(count=count, first=first, last=last))


def from_losses(student: Observation, reference: list[float] = REFERENCE, **fields):
    spec = make_spec("curve", losses=[CE], **fields)
    return score(spec, observed(student, module_file="question2.py"), observed(recorded("c", reference)))


def test_losses_ask_for_no_driver_and_name_functions_not_classes():
    (probe,) = plan_of(make_spec("curve", losses=[CE, "torch.nn.functional.mse_loss"])).student
    assert probe.steps == [] and probe.losses == [CE, "torch.nn.functional.mse_loss"]
    with pytest.raises(ValidationError, match="exactly one of them"):
        make_spec("curve", losses=[CE], driver="logged_losses")
    with pytest.raises(ValidationError, match="exactly one of them"):
        make_spec("curve")
    with pytest.raises(ValidationError, match="calls torch.nn.functional.cross_entropy"):
        make_spec("curve", losses=["torch.nn.CrossEntropyLoss"])
    with pytest.raises(ValidationError, match="not a torch function's full name"):
        make_spec("curve", losses=["F.cross_entropy"])
    with pytest.raises(ValidationError, match="belong to a `driver:`"):
        make_spec("curve", losses=[CE], function="train")


def test_recorded_losses_are_scored_like_a_returned_curve():
    verdict = from_losses(recorded("c", REFERENCE))
    assert verdict.fraction == 1.0 and verdict.details["curves"]["student"] == REFERENCE
    assert from_losses(recorded("c", [0.3] * 10)).fraction == 0.5


def test_a_long_run_is_judged_on_its_first_and_last_values_kept():
    # 10,000 calls: 1,000 kept at each end; the first 10% (1,000) are all kept, and so are the last
    values = [2.0] * 1000 + [0.5] * 1000
    verdict = from_losses(recorded("c", values, count=10_000), decrease=0.5, final_ratio=None)
    assert verdict.fraction == 1.0 and "last 10% 0.5 <= 0.5 x first 10% 2" in verdict.message
    assert verdict.details["curves"]["student"] == values  # first ones, then last ones, the gap left out


def test_a_non_finite_loss_is_placed_in_the_whole_run():
    values = [2.0] * 1000 + [0.5] * 999 + [float("nan")]
    verdict = from_losses(recorded("c", values, count=5000))
    assert verdict.fraction == 0 and "became nan at recorded point 5000 of 5000" in verdict.message


def test_no_call_or_a_single_call_says_what_was_missing():
    nothing = from_losses(Observation(probe_id="c", status="ok"))
    assert nothing.fraction == 0 and nothing.message.startswith(f"no call of {CE} was recorded while question2.py ran")
    once = from_losses(recorded("c", [1.1]))
    assert once.fraction == 0 and once.message == f"{CE} was called only once while question2.py ran: no training loop ran"
