"""Scoring repeated trials, and the sentence a student reads when a probe did not complete."""
from __future__ import annotations

from pathlib import Path

from grader.checks.base import Evidence, probe_problem
from grader.checks.trials import score_trials
from tests.checks.conftest import context, make_spec, observed, ok, raised, stopped

SPEC = make_spec("value", call="f", args=[{"tensor": ["n"]}], dims={"n": [1, 3, 5]}, trials=5)
IDS = [f"c.t{t}" for t in range(5)]


def scored(student, reference=None, judge=lambda ref, obs, trial: None, **options):
    """``score_trials`` on the value spec above with ``judge`` deciding each completed trial."""
    reference = reference if reference is not None else observed(*(ok(pid, {"result": 1}) for pid in IDS))
    evidence = Evidence(student=student, reference=reference, submission_dir=Path("/nonexistent"), ctx=context())
    return score_trials(SPEC, evidence, judge, **options)


def test_all_trials_passed():
    verdict = scored(observed(*(ok(pid) for pid in IDS)), passed_text="`f` is right")
    assert (verdict.fraction, verdict.message) == (1.0, "`f` is right on all 5 trials")


def test_the_judge_sees_each_trial_and_the_first_problem_is_explained():
    seen = []

    def judge(ref, obs, trial):
        seen.append((ref.probe_id, obs.probe_id, trial))
        return "too big" if trial in (1, 4) else None

    verdict = scored(observed(*(ok(pid) for pid in IDS)), judge=judge)
    assert seen == [(pid, pid, t) for t, pid in enumerate(IDS)]
    assert (verdict.fraction, verdict.final_status()) == (0.6, "partial")
    assert verdict.message.startswith("passed 3 of 5 trials; trial 2 (n=") and verdict.message.endswith("): too big")


def test_trials_that_did_not_complete_count_as_failed_and_all_of_them_as_an_error():
    student = observed(*(ok(pid) for pid in IDS[:4]), raised(IDS[4], "ValueError", "no"))
    verdict = scored(student)
    assert (verdict.fraction, verdict.final_status()) == (0.8, "partial")
    assert "trial 5 (n=" in verdict.message and verdict.message.endswith("your code raised ValueError: no")
    verdict = scored(observed(*(raised(pid, "ValueError", "no") for pid in IDS)))
    assert (verdict.fraction, verdict.final_status(), verdict.message) == (0.0, "error", "your code raised ValueError: no")


def test_a_trial_the_reference_failed_stops_scoring_unless_no_reference_is_needed():
    reference = observed(*(ok(pid, {"result": 1}) for pid in IDS[:4]))
    verdict = scored(observed(*(ok(pid) for pid in IDS)), reference=reference)
    assert verdict.final_status() == "grader_error" and "run `grade reference`" in verdict.message
    assert scored(observed(*(ok(pid) for pid in IDS)), reference=reference, needs_reference=False).fraction == 1.0


def test_what_a_student_reads_for_each_way_a_probe_can_end():
    def said(obs, defined=("forward", "backward")):
        return probe_problem(obs, list(defined), "question2.py")

    assert said(ok("p")) is None
    assert said(raised("p", "ZeroDivisionError", "division by zero", ("question2.py, line 9",))) == \
        "your code raised ZeroDivisionError: division by zero (question2.py, line 9)"
    assert said(raised("p", "MissingName", "backwards")) == ("question2.py defines no `backwards` (it defines: "
                                                             "forward, backward); did you mean `backward`?")
    assert said(raised("p", "MissingName", "sgd_step"), defined=()) == ("question2.py defines no `sgd_step` "
                                                                        "(it defines: nothing public)")
    assert said(raised("p", "LookupError", "the script has no `log` dict with a 'loss' entry")) == \
        "the script has no `log` dict with a 'loss' entry"
    assert said(raised("p", "LookupError", "key", ("question2.py, line 3",))) == \
        "your code raised LookupError: key (question2.py, line 3)", "a student's own LookupError is theirs"
    assert said(stopped("p", "timeout", "did not finish within 10 s and was stopped")) == \
        "the call did not finish within 10 s and was stopped"
    assert said(stopped("p", "crashed", "the process was killed by signal SIGKILL (Killed)")) == \
        "the call did not complete: the process was killed by signal SIGKILL (Killed)"
    budget = "not run: the file used up its total time budget of 60 s (two imports and every check's own time limit)"
    assert said(stopped("p", "timeout", budget)) == budget
    assert said(stopped("p", "not_run", "the import failed")) == "the import failed"
