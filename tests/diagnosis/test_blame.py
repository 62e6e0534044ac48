"""Whose failure an exception was: the child's reading of the traceback, the parent's wording from its own
probe, and the ``grader_error`` status, which never earns more than the student's own work."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from grader.checks.base import PlanContext
from grader.checks.registry import kind_of
from grader.diagnosis.blame import NOT_YOURS, attribute, error_sentence
from grader.diagnosis.frames import origin_of
from grader.grading import score_question
from grader.observe import ErrorInfo, FileObservations, ImportInfo, Observation
from grader.plan import QuestionPlan
from grader.rubric import Question
from grader.sandbox.parent.replies import probe_observation
from tests.checks.conftest import answers, ok

STUDENT = "def fit(A):\n    return A.sum()\n\ndef broken(A):\n    raise RuntimeError('bad shapes')\n"
DRIVER = "def factorise(function, A):\n    U, V = function(A)\n    return U\n"
WRAPPER = "def trace(function, *args):\n    return function(*args)\n"
DISPATCH = "def run(target, *args):\n    return target(*args)\n\ndef report():\n    raise LookupError('no `log` dict')\n"


def _load(path: Path, source: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem + str(abs(hash(path))), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def layout(tmp_path):
    """A working copy with the student's file and a course drivers file, and a grader tree with a driver, a
    pass-through wrapper and the step runner, each a real module whose frames a traceback names."""
    import torch  # the student's function returns a 0-d tensor, which the driver cannot unpack

    work, root = tmp_path / "work", tmp_path / "grader"
    modules = {"student": _load(work / "question1.py", STUDENT),
               "course": _load(work / "_course_drivers_.py", DRIVER),
               "driver": _load(root / "course" / "iris.py", DRIVER),
               "wrapper": _load(root / "sandbox" / "child" / "tracing.py", WRAPPER),
               "dispatch": _load(root / "sandbox" / "child" / "entry.py", DISPATCH)}
    return str(work), root, modules, torch.ones(2, 3)


def _origin(call, work, root):
    with pytest.raises(BaseException) as caught:
        call()
    return origin_of(caught.value, work, root)


def test_the_innermost_owned_frame_decides_whose_exception_it_is(layout):
    work, root, m, data = layout
    run = m["dispatch"].run
    assert _origin(lambda: run(m["student"].broken, data), work, root) == ("student", "")
    assert _origin(lambda: run(m["wrapper"].trace, m["student"].broken, data), work, root) == ("student", "")
    origin, where = _origin(lambda: run(m["driver"].factorise, m["student"].fit, data), work, root)
    assert origin == "grader" and where == "grader/course/iris.py, line 2"
    origin, where = _origin(lambda: run(m["course"].factorise, m["student"].fit, data), work, root)
    assert origin == "grader" and where == "the course's drivers.py, line 2"
    assert _origin(lambda: run(m["student"].fit), work, root) == ("call", "")  # missing argument: never entered
    assert _origin(m["dispatch"].report, work, root) == ("student", "")  # a driver's report on the student's code


def test_the_childs_word_on_origin_is_bounded_data():
    def sent(error):
        return probe_observation("p", {"status": "error", "error": error}, b"", 1.0, whole=False).error

    forged = sent({"type": "TypeError", "message": "m", "origin": "grader", "where": "x" * 5000, "step": 3})
    assert (forged.origin, forged.step, len(forged.where) < 400) == ("grader", 3, True)
    odd = sent({"type": "TypeError", "message": "m", "origin": ["grader"], "where": "w", "step": 10**9,
                "context": "written by the child"})
    assert (odd.origin, odd.where, odd.step, odd.context) == ("student", "", None, "")
    assert sent({"type": "E", "message": "m", "origin": "student", "where": "w", "step": True}).where == ""


VALUE = {"id": "v", "kind": "value", "points": 3, "call": "fit", "args": [{"tensor": [2, 2]}], "trials": 3,
         "setup": [{"call": "prepare", "args": [1]}]}
DRIVEN = {"id": "d", "kind": "value", "points": 1, "call": "fit", "driver": "linear_fit"}


def _question(*checks) -> QuestionPlan:
    question = Question.model_validate({"id": "q1", "checks": list(checks)})
    ctx = PlanContext(seed=4901, question="q1")
    return QuestionPlan(question, ctx, {c.id: kind_of(c).plan(c, ctx) for c in question.checks})


def _raised(pid: str, origin: str, step: int, error_type: str = "TypeError") -> Observation:
    return Observation(probe_id=pid, status="error", error=ErrorInfo(
        type=error_type, message="iteration over a 0-d tensor", origin=origin, step=step,
        where="grader/course/drivers.py, line 71" if origin == "grader" else ""))


def _graded(qplan: QuestionPlan, student: dict[str, Observation], reference: FileObservations):
    observed = FileObservations(module_file="question1.py", imported=ImportInfo(status="ok", defined=["fit"]),
                                probes=student)
    return {c.id: c for c in score_question(qplan, Path("/nonexistent"), observed, reference).checks}


def _reference(qplan: QuestionPlan) -> FileObservations:
    return answers([p for plan in qplan.checks.values() for p in plan.reference], lambda *a: 1.0, whole=True)


def test_a_failure_in_the_grader_is_a_grader_error_and_never_reads_as_the_students():
    qplan = _question(VALUE, DRIVEN)
    probes = qplan.probes("student")
    driver_step = len(qplan.checks["d"].student[0].steps) - 1
    student = {p.id: _raised(p.id, "grader", driver_step if p.id.startswith("d.") else 2) for p in probes}
    checks = _graded(qplan, student, _reference(qplan))
    for check in checks.values():
        assert (check.status, check.points) == ("grader_error", 0.0)
        assert "your code raised" not in check.message and NOT_YOURS in check.message
    assert "while the grader's `linear_fit` run used your code" in checks["d"].message
    assert "the grader's own code raised TypeError: iteration over a 0-d tensor (grader/course/drivers.py, line 71)" \
        in checks["d"].message


def test_the_students_own_exception_says_which_step_raised_it():
    qplan = _question(VALUE)
    probes = qplan.probes("student")
    in_setup = _graded(qplan, {p.id: _raised(p.id, "student", 0, "RuntimeError") for p in probes}, _reference(qplan))
    assert in_setup["v"].status == "error"
    assert in_setup["v"].message == ("your code raised RuntimeError: iteration over a 0-d tensor in `prepare`, which "
                                     "this check calls first to set up before `fit`")
    called = _graded(qplan, {p.id: _raised(p.id, "call", 1) for p in probes}, _reference(qplan))
    assert called["v"].status == "error" and called["v"].message == (
        "TypeError: iteration over a 0-d tensor when the check called `fit` (the call did not fit the function's "
        "parameters)")


def test_a_grader_error_in_one_trial_keeps_the_points_of_the_others_and_is_listed():
    qplan = _question(VALUE)
    probes = qplan.probes("student")
    student = {p.id: ok(p.id, {"result": 1.0}) for p in probes[:2]}
    student[probes[2].id] = _raised(probes[2].id, "grader", 1)
    check = _graded(qplan, student, _reference(qplan))["v"]
    assert (check.status, check.points) == ("grader_error", 2.0)
    assert check.message.startswith("passed 2 of 3 trials; trial 3: the grader's own code raised")


def test_a_reference_that_failed_is_the_rubrics_failure():
    qplan = _question(VALUE)
    reference = _reference(qplan)
    reference.probes[qplan.probes("reference")[0].id] = _raised("v.t0", "student", 1, "RuntimeError")
    student = {p.id: ok(p.id, {"result": 1.0}) for p in qplan.probes("student")}
    check = _graded(qplan, student, reference)["v"]
    assert (check.status, check.points) == ("grader_error", 0.0) and "the rubric needs fixing" in check.message


def test_an_error_of_the_students_that_the_child_calls_the_graders_earns_nothing_more():
    qplan = _question(VALUE)
    probes = qplan.probes("student")
    honest = _graded(qplan, {p.id: _raised(p.id, "student", 1) for p in probes}, _reference(qplan))["v"]
    forged = _graded(qplan, {p.id: _raised(p.id, "grader", 1) for p in probes}, _reference(qplan))["v"]
    assert honest.points == forged.points == 0.0 and (honest.status, forged.status) == ("error", "grader_error")


def test_attribution_is_the_parents_reading_of_its_own_probe():
    qplan = _question(VALUE)
    probe = qplan.probes("student")[0]
    observed = FileObservations(module_file="q.py", imported=ImportInfo(status="ok"),
                                probes={probe.id: _raised(probe.id, "student", 99)})
    observed.probes[probe.id].error.context = " forged by the child"
    attribute(observed, [probe])
    assert observed.probes[probe.id].error.context == ""  # a step the probe does not have: no context at all
    assert error_sentence(observed.probes[probe.id].error) == "your code raised TypeError: iteration over a 0-d tensor"
