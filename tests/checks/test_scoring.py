"""What the scoring loop adds to every kind: deviations from the handout's interface deducted, unstable answers
flagged and never scored above their worse run."""
from __future__ import annotations

import torch

from grader.checks.base import DeviationPenalty, Evidence
from grader.checks.scoring import score_check
from grader.observe import Deviation, Observation
from tests.checks.conftest import answers, context, make_spec, ok, plan_of

RENAMED = Deviation(kind="name", text="`sgd_factorise_ad` was graded as `sgd_factorise`, the name the handout asks for")
KEYWORD = Deviation(kind="keyword", text="`sgd_factorise_ad` takes the handout's `num_epochs=` as `epochs=`")


def doubled(a: torch.Tensor) -> torch.Tensor:
    return a * 2


def judged(spec, student, reference, **ctx):
    evidence = Evidence(student=student, reference=reference, submission_dir=None, ctx=context(**ctx))
    return score_check(spec, evidence, plan_of(spec))


def setup(**fields):
    spec = make_spec("value", call="double", args=[{"tensor": [3]}], trials=2, **fields)
    probes = plan_of(spec).student
    return spec, probes, answers(probes, doubled, whole=True)


def with_notes(student, *notes):
    for obs in student.probes.values():
        obs.deviations = list(notes)
    return student


def test_a_deviation_costs_the_rubrics_share_and_says_what_deviated():
    spec, probes, reference = setup()
    verdict = judged(spec, with_notes(answers(probes, doubled), RENAMED), reference)
    assert (verdict.fraction, verdict.final_status()) == (0.75, "partial")
    assert verdict.message == ("`double` matches the reference on all 2 trials; 25% of this check's points deducted "
                               "for leaving the handout's interface: " + RENAMED.text)


def test_the_costliest_deviation_is_deducted_once():
    spec, probes, reference = setup()
    policy = DeviationPenalty.model_validate({"name": 0.1, "keyword": 0.3})
    verdict = judged(spec, with_notes(answers(probes, doubled), RENAMED, KEYWORD), reference, deviation_penalty=policy)
    assert verdict.fraction == 0.7 and RENAMED.text in verdict.message and KEYWORD.text in verdict.message


def test_the_checks_own_penalty_wins_and_one_is_strict():
    spec, probes, reference = setup(deviation_penalty=1)
    verdict = judged(spec, with_notes(answers(probes, doubled), RENAMED), reference)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail") and "100% of this check's points" in \
        verdict.message
    free = judged(spec, with_notes(answers(probes, doubled), KEYWORD), reference)
    assert free.fraction == 0.0
    nothing = judged(setup(deviation_penalty={"keyword": 0})[0], with_notes(answers(probes, doubled), KEYWORD),
                     reference)
    assert nothing.fraction == 1.0 and nothing.message.endswith(f"(graded as written, nothing deducted: {KEYWORD.text})")


def test_a_dtype_retry_is_said_and_never_deducted():
    spec, probes, reference = setup(deviation_penalty=1)
    retried = Deviation(kind="dtype", text="`f` raised RuntimeError on the handout's float64 data, so ...")
    verdict = judged(spec, with_notes(answers(probes, doubled), retried), reference)
    assert verdict.fraction == 1.0 and retried.text in verdict.message


def test_wrong_work_is_not_deducted_twice():
    spec, probes, reference = setup()
    verdict = judged(spec, with_notes(answers(probes, lambda a: a * 3), RENAMED), reference)
    assert verdict.fraction == 0.0 and verdict.message.endswith(f"(graded as written: {RENAMED.text})")


def rerun(student, probe_id: str, value) -> None:
    first = student.probes[probe_id]
    again = ok(probe_id, {"result": value})
    student.probes[probe_id] = first.model_copy(update={
        "rerun": Observation(probe_id=probe_id, status="ok", values=again.values),
        "unstable": "`result` came out different"})


def test_an_answer_that_changes_between_two_runs_is_flagged_and_scored_at_its_worse():
    spec, probes, reference = setup()
    student = answers(probes, doubled)
    rerun(student, probes[1].id, torch.full((3,), float("nan")))
    verdict = judged(spec, student, reference)
    assert verdict.fraction == 0.5 and verdict.details["unstable"] == "`result` came out different"
    assert verdict.message.startswith("unstable: `result` came out different in a second run from the same seed, and "
                                      "the check's outcome changed with it (100% then 50% of its points); the lower "
                                      "is kept, since the code may read memory it never wrote (torch.empty)")
    assert verdict.message.endswith("passed 1 of 2 trials; trial 2: NaN at [0] where the reference has "
                                    f"{float(reference.probes[probes[1].id].values['result'].tensor[0]):.6g}")


def test_an_answer_that_changes_without_changing_the_outcome_is_a_note():
    spec, probes, reference = setup(tolerance={"rtol": 0.1, "atol": 0})
    student = answers(probes, doubled)
    rerun(student, probes[0].id, student.probes[probes[0].id].values["result"].tensor * 1.01)
    verdict = judged(spec, student, reference)
    assert verdict.fraction == 1.0 and "unstable" not in verdict.details
    assert verdict.message.endswith("(note: `result` came out different in a second run from the same seed, with "
                                    "the same outcome; the code may read memory it never wrote (torch.empty) or "
                                    "draw random numbers that torch.manual_seed does not govern)")
