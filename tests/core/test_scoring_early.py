"""Checks scored as their probes reply give the verdicts scoring after the file would, and are scored again when
their probes' observations changed after (a probe answered by a later child)."""
from __future__ import annotations

from concurrent.futures import Future

import pytest

from grader import grading
from grader.assignments import find_assignment
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.scoring_ahead import reads_files_only
from grader.scoring_early import EarlyScoring
from tests.conftest import ROOT

EXAMPLES = ROOT / "submissions_example" / "pset09-autodiff"
# right, gradients piling up, x.grad aliased, a transpose missing; a notebook per problem (staged: scored after)
STUDENTS = ["anna_correct", "boris_no_zero_grad", "chen_no_sum_trick", "fay_transpose_missing",
            "hugo_notebook_per_problem"]


def _without_timing(result) -> dict:
    data = result.model_dump()
    data.pop("seconds")
    for question in data["questions"]:
        question.pop("code_seconds")
    return data


@pytest.fixture(scope="module")
def graded():
    """Every example graded twice on one fork server: as the grader does, and with every check scored after
    its file; how many verdicts the first way took from the early scoring."""
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    used: list[int] = []
    real = EarlyScoring.verdicts
    results = {}
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        for folder in (EXAMPLES / name for name in STUDENTS):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(EarlyScoring, "verdicts", lambda self, student: used.append(len(kept := real(
                    self, student))) or kept)
                early = grading.grade_submission(plan, folder, reference, launcher=launcher)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(EarlyScoring, "verdicts", lambda self, student: {})
                after = grading.grade_submission(plan, folder, reference, launcher=launcher)
            results[folder.name] = (early, after)
    return plan, reference, results, used


def test_early_verdicts_are_the_verdicts_scored_after_the_file(graded):
    _, _, results, used = graded
    scripts, notebook = used[:-2], used[-2:]  # the verdicts each question took from the early scoring
    assert all(count > 0 for count in scripts) and notebook == [0, 0]
    for name, (early, after) in results.items():
        assert _without_timing(early) == _without_timing(after), name


def test_a_verdict_whose_probe_was_answered_again_is_scored_again(graded):
    plan, reference, results, _ = graded
    qplan = plan.questions["question1"]
    folder = EXAMPLES / "anna_correct"
    student = grading.run_question(plan, qplan, folder, "student", None)

    def run_now(fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    early = EarlyScoring(qplan, student.module_file, folder, reference["question1"], [],
                         grading._early_scorer(qplan), run_now)
    for probe_id, observation in student.probes.items():
        early.reply(probe_id, observation, student.imported)
    kept = early.verdicts(student)
    with_probes = [c.id for c in qplan.question.checks if qplan.checks[c.id].student]
    assert set(with_probes) <= set(kept) | {c.id for c in qplan.question.checks if reads_files_only(c)}
    check_id = next(c for c in with_probes if c in kept)
    probe_id = qplan.checks[check_id].student[0].id
    again = student.model_copy(update={"probes": {**student.probes, probe_id: student.probes[probe_id].model_copy()}})
    assert check_id not in early.verdicts(again)  # its probe was answered by another child: scored with the rest
    assert early.verdicts(again).keys() == kept.keys() - {c for c in kept if probe_id in
                                                        {p.id for p in qplan.checks[c].student}}
    failed = student.model_copy(update={"imported": student.imported.model_copy(update={"status": "error"})})
    assert early.verdicts(failed) == {}


def test_a_failure_of_the_early_scoring_is_never_the_childs(graded, monkeypatch):
    """Whatever goes wrong in scoring early (here: the hand-over to the scoring thread), the file's replies are
    taken as they came and every check is scored after the file, as if nothing had been scored early."""
    plan, reference, results, _ = graded

    def broken(*args):
        raise ValueError("the scoring thread is gone")

    real_init = EarlyScoring.__init__

    def with_a_broken_thread(self, *args) -> None:
        real_init(self, *args)
        self.submit = broken

    monkeypatch.setattr(EarlyScoring, "__init__", with_a_broken_thread)
    folder = EXAMPLES / "anna_correct"
    with ForkServerLauncher(1) as launcher:
        result = grading.grade_submission(plan, folder, reference, launcher=launcher)
    assert _without_timing(result) == _without_timing(results["anna_correct"][1])

