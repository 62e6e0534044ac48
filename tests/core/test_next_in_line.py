"""The next submission's first file is handed to a child while the last file of the one before runs a long call:
the order it is taken in, what is never started or is given back, and the marks, which are those grading one
submission at a time gives."""
from __future__ import annotations

import threading
from pathlib import Path

from grader import grading, next_in_line
from grader.assignments import find_assignment
from grader.next_in_line import NextInLine, long_calls
from grader.observe import FileObservations, ImportInfo, Observation
from grader.plan import GradingPlan
from grader.reference_cache import reference_observations
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.protocol import Probe
from tests.conftest import ROOT

EXAMPLES = ROOT / "submissions_example" / "pset09-autodiff"
STUDENTS = ("anna_correct", "boris_no_zero_grad", "chen_no_sum_trick", "hugo_notebook_per_problem")


class FakeChild:
    def __init__(self, folder: Path) -> None:
        self.folder, self.cancelled = folder, False

    def cancel(self) -> None:
        self.cancelled = True


def test_the_next_not_begun_is_started_and_handed_to_its_grading():
    a, b, c, d = (Path(name) for name in "abcd")
    line = NextInLine([a, b, c, d])
    assert line.begin(a) is None
    line.start_next(FakeChild)
    assert line.waiting() == [b]
    line.begin(c)  # another worker took c first
    line.start_next(FakeChild)  # b is claimed, c begun: d is next
    assert line.waiting() == [b, d]
    child = line.begin(b)
    assert isinstance(child, FakeChild) and child.folder == b and not child.cancelled
    assert line.waiting() == [d]
    line.start_next(FakeChild)  # nothing left to start
    assert line.waiting() == [d]


def test_a_submission_that_will_not_be_graded_or_cannot_start_is_left_to_its_turn():
    a, b, c = (Path(name) for name in "abc")
    line = NextInLine([a, b, c], wanted=lambda folder: folder != b)
    line.begin(a)
    line.start_next(FakeChild)  # b is current already: not started, and not asked for again
    assert line.waiting() == []

    def broken(folder: Path):
        raise OSError("no room for the staging folder")

    line.start_next(broken)  # c: the failure costs nothing but the start
    line.start_next(lambda folder: None)
    assert line.waiting() == [] and line.begin(c) is None


def test_a_child_started_for_a_submission_begun_meanwhile_is_given_back():
    a, b = Path("a"), Path("b")
    line = NextInLine([a, b])
    made = []

    def slow_start(folder: Path) -> FakeChild:
        line.begin(folder)  # its worker begins it while its child is being started
        made.append(FakeChild(folder))
        return made[-1]

    line.start_next(slow_start)
    assert made[0].cancelled and line.waiting() == []


def test_the_children_of_submissions_never_begun_leave_at_the_end():
    a, b, c = (Path(name) for name in "abc")
    line = NextInLine([a, b, c])
    line.begin(a)
    line.start_next(FakeChild)
    waiting = line.begin(b)
    line.start_next(FakeChild)
    assert line.waiting() == [c]
    line.close()  # c was never begun (a stop signal, say)
    assert not waiting.cancelled
    line.start_next(FakeChild)  # a late worker after the end starts nothing
    assert line.waiting() == [] and line.begin(c) is None


def test_workers_sharing_the_line_start_each_submission_at_most_once():
    folders = [Path(f"s{i}") for i in range(200)]
    line = NextInLine(folders)
    started: list[Path] = []
    lock = threading.Lock()

    def start(folder: Path) -> FakeChild:
        with lock:
            started.append(folder)
        return FakeChild(folder)

    threads = [threading.Thread(target=lambda: [line.start_next(start) for _ in range(60)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == len(set(started)) == 200 and started[0] == folders[0]


def _observed(seconds: dict[str, float], import_seconds: float = 0.001) -> FileObservations:
    return FileObservations(module_file="q.py", imported=ImportInfo(status="ok", seconds=import_seconds),
                            probes={pid: Observation(probe_id=pid, status="ok", seconds=s) for pid, s in seconds.items()})


def test_long_calls_are_found_by_the_references_times():
    probes = [Probe(id=name, steps=[]) for name in ("shape", "value", "train", "curve", "eval")]
    reference = _observed({"shape": 0.001, "value": 0.002, "train": 0.4, "curve": 0.001, "eval": 0.09})
    assert long_calls(probes, reference) == (False, {"value", "curve"})
    assert long_calls(probes, _observed({"shape": 0.2})) == (True, set())  # the first probe: at once
    assert long_calls(probes, _observed({}, import_seconds=3.0)) == (True, set())  # a training run at import
    assert long_calls(probes, None) == (False, set())
    assert long_calls([], reference) == (False, set())


def _marks(result) -> dict:
    return {(q.id, c.id): (c.points, c.status, c.message) for q in result.questions for c in q.checks}


def test_submissions_graded_in_turn_give_the_marks_graded_alone_give(monkeypatch):
    """Question 2 trains (calls of 0.1-0.5 s in the reference): each submission's question 2 starts the next
    submission's two files, which that submission's grading then runs."""
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    folders = [EXAMPLES / name for name in STUDENTS]
    started = []
    start = grading.start_question_early
    monkeypatch.setattr(grading, "start_question_early",
                        lambda *args: started.append((args[1].question.id, args[2])) or start(*args))
    first, second = (q.question.id for q in plan if q.probes("student"))
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        alone = {f.name: _marks(grading.grade_submission(plan, f, reference, launcher=launcher)) for f in folders}
        started.clear()
        line = NextInLine(folders)
        for index, folder in enumerate(folders):
            marks = _marks(grading.grade_submission(plan, folder, reference, launcher=launcher, next_in_line=line))
            assert marks == alone[folder.name], folder.name
            assert line.waiting() == folders[index + 1:index + 2]  # the next one's first file, waiting for its turn
        line.close()
    # each later submission's two files started while the one before trained; the first's second at its first's turn
    assert sorted(started) == sorted([(second, folders[0])] + [(q, f) for f in folders[1:] for q in (first, second)])


def test_no_long_call_starts_nothing_across_submissions(monkeypatch):
    monkeypatch.setattr(next_in_line, "LONG_SECONDS", 1e9)
    plan = GradingPlan.build(find_assignment("pset09-autodiff"))
    folders = [EXAMPLES / name for name in STUDENTS[:2]]
    with ForkServerLauncher(1) as launcher:
        reference, _ = reference_observations(plan, launcher)
        line = NextInLine(folders)
        grading.grade_submission(plan, folders[0], reference, launcher=launcher, next_in_line=line)
        assert line.waiting() == []
        line.close()
