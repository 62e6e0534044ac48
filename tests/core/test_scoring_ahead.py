"""Source rules are scored while their file runs, and their verdict kept only where the file imported."""
from __future__ import annotations

import shutil
import threading

import pytest

from grader import grading
from grader.assignments import find_assignment
from grader.checks import source
from grader.checks.base import Verdict
from grader.observe import FileObservations, ImportInfo
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.scoring_ahead import AheadVerdicts
from tests.conftest import EXAMPLES

SOURCE_CHECKS = ["elementwise.einsum", "batch_matmul.einsum", "aggregate.einsum"]  # question 1's source rules


@pytest.fixture(scope="module")
def question1():
    """Question 1 of comp4901y-hw1 alone, its reference run once, and a fork server."""
    plan = GradingPlan.build(find_assignment("comp4901y-hw1"))
    for other in [q for q in plan.questions if q != "question1"]:
        plan.questions.pop(other)
    assert [q.question.id for q in plan] == ["question1"] and SOURCE_CHECKS[0] in plan.questions["question1"].checks
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        yield plan, reference, launcher


def _graded(plan, reference, launcher, folder, monkeypatch):
    """The result, and which thread scored each source check with which import status."""
    calls = []
    score = source.score

    def recorded(spec, evidence):
        calls.append((spec.id, threading.current_thread().name, evidence.student.imported.status))
        return score(spec, evidence)

    monkeypatch.setattr(source, "score", recorded)
    return grading.grade_submission(plan, folder, reference, launcher=launcher), calls


def test_source_rules_scored_while_the_file_runs_give_the_same_marks(question1, tmp_path, monkeypatch):
    plan, reference, launcher = question1
    shutil.copytree(EXAMPLES / "alice_correct", tmp_path / "alice")
    result, calls = _graded(plan, reference, launcher, tmp_path / "alice", monkeypatch)
    assert sorted(check for check, _, _ in calls) == sorted(SOURCE_CHECKS)  # once each: ahead, not again
    assert all(thread.startswith("score") for _, thread, _ in calls)
    checks = {c.id: c for c in result.questions[0].checks}
    assert all(checks[c].points == checks[c].max_points for c in SOURCE_CHECKS)
    again = grading.score_question(plan.questions["question1"], tmp_path / "alice",
                                   grading.run_question(plan, plan.questions["question1"], tmp_path / "alice",
                                                        "student", launcher), reference["question1"])
    assert again.model_dump(exclude={"code_seconds"}) == result.questions[0].model_dump(exclude={"code_seconds"})


def test_a_file_that_does_not_import_earns_nothing_from_rules_scored_ahead(question1, tmp_path, monkeypatch):
    """The rules were scored ahead as if the file imports (einsum is there: full marks); it raises at import, so
    the code they ask for never runs and they earn nothing."""
    plan, reference, launcher = question1
    folder = tmp_path / "raises"
    shutil.copytree(EXAMPLES / "alice_correct", folder)
    code = (folder / "question1.py").read_text()
    (folder / "question1.py").write_text(code + "\nraise RuntimeError('left in by mistake')\n")
    result, calls = _graded(plan, reference, launcher, folder, monkeypatch)
    assert sorted(check for check, _, status in calls if status == "ok") == sorted(SOURCE_CHECKS)
    checks = {c.id: c for c in result.questions[0].checks}
    for check in SOURCE_CHECKS:
        assert checks[check].points == 0 and "raised RuntimeError" in checks[check].message, checks[check].message


def test_a_verdict_scored_ahead_holds_only_for_the_same_file_imported():
    ahead = AheadVerdicts("question1.py", {"c": Verdict(1.0, "source follows the rules")})
    imported = FileObservations(module_file="question1.py", imported=ImportInfo(status="ok"))
    assert ahead.verdict("c", imported).fraction == 1.0
    assert ahead.verdict("other", imported) is None
    for status in ("error", "missing", "timeout"):
        assert ahead.verdict("c", imported.model_copy(update={"imported": ImportInfo(status=status)})) is None
    assert ahead.verdict("c", imported.model_copy(update={"module_file": "question1.ipynb"})) is None
