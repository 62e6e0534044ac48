"""Grading a submission whose next question file starts its child early gives the marks grading without does, and
an early start that fails costs nothing but its time."""
from __future__ import annotations

from grader import grading
from grader.assignments import find_assignment
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.sandbox.parent.pool import ForkServerLauncher
from tests.conftest import ROOT

STUDENTS = ("anna_correct", "chen_no_sum_trick", "dora_momentum_ignored", "hugo_notebook_per_problem")


def marks(result) -> dict:
    return {(q.id, c.id): (c.points, c.status) for q in result.questions for c in q.checks}


def test_early_starts_give_the_same_marks(monkeypatch):
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    started = []
    start = grading.start_question_early
    monkeypatch.setattr(grading, "start_question_early", lambda *args: started.append(start(*args)) or started[-1])
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        graded = {}
        for early in (False, True):
            launcher.early_starts = early
            for name in STUDENTS:
                graded[early, name] = marks(grading.grade_submission(plan, ROOT / "submissions_example" /
                                                                     "pset09-autodiff" / name, reference,
                                                                     launcher=launcher))
    assert len(started) == len(STUDENTS) and all(started)  # each submission's second question started early
    for name in STUDENTS:
        assert graded[True, name] == graded[False, name], name


def test_an_early_start_that_fails_leaves_the_file_to_its_turn(monkeypatch):
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    folder = ROOT / "submissions_example" / "pset09-autodiff" / "anna_correct"

    def broken(*args):
        raise OSError("the staging folder could not be made")

    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        launcher.early_starts = False
        plain = marks(grading.grade_submission(plan, folder, reference, launcher=launcher))
        launcher.early_starts = True
        monkeypatch.setattr(grading, "start_question_early", broken)
        assert marks(grading.grade_submission(plan, folder, reference, launcher=launcher)) == plain
