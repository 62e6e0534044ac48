"""A question is scored in the parent while the submission's next question file runs in its child, once that child
has its request; the last question after its file, in the grader's own thread (it has nothing else to do then)."""
from __future__ import annotations

import threading
import time

from grader import grading
from grader.assignments import find_assignment
from grader.observe import FileObservations, ImportInfo
from grader.plan import GradingPlan
from grader.results import QuestionResult

PAUSE = 0.3


def test_scoring_overlaps_the_next_files_run(monkeypatch, tmp_path):
    plan = GradingPlan.build(find_assignment("comp4901y-hw1"))  # five questions
    spans: dict[str, list] = {"run": [], "score": [], "child": []}

    class Launcher:
        name, layers, early_starts = "fake", (), False

        def start(self, *args):
            spans["child"].append(time.monotonic())

    def run_question(plan, qplan, folder, side, launcher, options=None, on_reply=None, chosen=None, early=None):
        started = time.monotonic()
        launcher.start(None, None, 0, 0)
        time.sleep(PAUSE)
        spans["run"].append((started, time.monotonic(), threading.current_thread().name))
        return FileObservations(module_file=qplan.question.file, imported=ImportInfo(status="ok"))

    def score_question(qplan, submission, student_obs, reference_obs, mistakes=None, ahead=None, early=None):
        started = time.monotonic()
        time.sleep(PAUSE)
        spans["score"].append((started, time.monotonic(), threading.current_thread().name))
        return QuestionResult(id=qplan.question.id, points=0.0, max_points=qplan.question.max_points, checks=[])

    monkeypatch.setattr(grading, "run_question", run_question)
    monkeypatch.setattr(grading, "score_question", score_question)
    started = time.monotonic()
    result = grading.grade_submission(plan, tmp_path, {}, launcher=Launcher())
    elapsed = time.monotonic() - started
    assert [q.id for q in result.questions] == [q.id for q in plan.assignment.rubric.questions]  # in order
    *before_last, last = sorted(spans["score"])
    assert all(name != threading.main_thread().name for _, _, name in before_last)
    assert last[2] == threading.main_thread().name
    first_scored, second_run = spans["score"][0], spans["run"][1]
    assert first_scored[0] < second_run[1] and second_run[0] < first_scored[1]  # they overlapped
    assert all(spans["child"][k + 1] <= scored[0] for k, scored in enumerate(sorted(spans["score"])[:-1]))
    count = len(plan.questions)
    assert elapsed < (count + 1.5) * PAUSE  # every run, and only the last scoring after them (serial: 2 x count)
