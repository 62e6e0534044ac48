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


def _events(monkeypatch) -> list[tuple]:
    """What happens when while a submission is graded: each file's go, its first reply, the end of its run, and
    the start of each question's scoring."""
    from grader.sandbox.parent import runner
    from grader.scoring_early import EarlyScoring

    events: list[tuple] = []
    go, reply, run, score = runner.EarlyChild.go, EarlyScoring.reply, grading.run_question, grading.score_question

    def logged_go(self):
        events.append(("go", self.module_file))
        return go(self)

    def logged_reply(self, probe_id, observation, imported):
        events.append(("reply", self.qplan.question.id))
        events.append(("probe", probe_id))
        return reply(self, probe_id, observation, imported)

    def logged_run(plan, qplan, *args, **kwargs):
        observed = run(plan, qplan, *args, **kwargs)
        events.append(("ran", qplan.question.id))
        return observed

    def logged_score(qplan, *args, **kwargs):
        events.append(("score", qplan.question.id))
        return score(qplan, *args, **kwargs)

    monkeypatch.setattr(runner.EarlyChild, "go", logged_go)
    monkeypatch.setattr(EarlyScoring, "reply", logged_reply)
    monkeypatch.setattr(grading, "run_question", logged_run)
    monkeypatch.setattr(grading, "score_question", logged_score)
    return events


def test_the_question_before_is_scored_once_the_file_told_to_go_has_replied(monkeypatch):
    """The child told to go wakes and imports with no scoring beside it; a file staged under another name (its
    replies passed on only at its end) has the question before scored at once, not after it."""
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    events = _events(monkeypatch)
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        for name in ("anna_correct", "hugo_notebook_per_problem"):
            events.clear()
            grading.grade_submission(plan, ROOT / "submissions_example" / "pset09-autodiff" / name, reference,
                                     launcher=launcher)
            went = next(i for i, e in enumerate(events) if e[0] == "go")
            scored = events.index(("score", "question1"))
            if name == "anna_correct":
                assert events.index(("reply", "question2")) < scored, events
            else:
                assert ("reply", "question2") not in events and scored < events.index(("ran", "question2")), events
            assert went < scored, events


def test_with_a_free_core_the_scoring_waits_for_the_last_files_long_call(monkeypatch):
    """The scoring thread's work (question 1's checks) is held while the files run and handed over as the last
    file's child begins its long call (here: taken to be the one after question 2's third probe); where the last
    file is a notebook, whose replies come only at its end, it is handed over at that file's word to go."""
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    second = [p.id for p in plan.questions["question2"].probes("student")]
    monkeypatch.setattr(grading, "long_calls", lambda probes, reference: (False, {second[2]}))
    events = _events(monkeypatch)
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        assert launcher.early_starts  # one worker on a machine of two cores or more
        graded = grading.grade_submission(plan, ROOT / "submissions_example" / "pset09-autodiff" / "anna_correct",
                                          reference, launcher=launcher)
        scored = events.index(("score", "question1"))
        assert events.index(("probe", second[2])) < scored < events.index(("ran", "question2")), events
        assert graded.total == graded.max_total  # every held check was scored in the end
        events.clear()
        grading.grade_submission(plan, ROOT / "submissions_example" / "pset09-autodiff" / "hugo_notebook_per_problem",
                                 reference, launcher=launcher)
        assert ("probe", second[2]) not in events  # a notebook's replies: relabelled at its end
        assert events.index(("score", "question1")) < events.index(("ran", "question2")), events
