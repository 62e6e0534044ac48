"""The rubric's course files and packages: checked before a batch starts, refused when unsafe."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from grader.assignments import Assignment
from grader.commands.batch import course_problem
from grader.course.setup import CoursePackage
from grader.rubric import Rubric

QUESTIONS = [{"id": "q", "checks": [{"id": "c", "kind": "manual", "points": 1}]}]


def assignment(tmp_path, **fields) -> Assignment:
    rubric = Rubric(assignment="a", questions=QUESTIONS, **fields)
    return Assignment("a", rubric, tmp_path / "a.yaml", tmp_path)


def test_a_package_this_python_lacks_stops_the_batch_with_how_to_install_it(tmp_path):
    problem = course_problem(assignment(tmp_path, packages=["scipy", {"name": "no-such-course-pkg"},
                                                            {"name": "also-absent", "stub": True}]))
    assert "no-such-course-pkg (import no_such_course_pkg)" in problem
    assert "pip install no-such-course-pkg" in problem and "also-absent" not in problem  # stand-ins need nothing


def test_course_files_come_from_the_reference_or_the_fixtures(tmp_path):
    (tmp_path / "X.pt").write_bytes(b"x")
    assert course_problem(assignment(tmp_path, course_files=["X.pt", "iris.data", "data/iris.data"])) == ""
    assert "y.pt" in course_problem(assignment(tmp_path, course_files=["X.pt", "y.pt"]))


@pytest.mark.parametrize("name", ["../secret", "/etc/passwd", " "])
def test_course_files_stay_inside_the_student_folder(name):
    with pytest.raises(ValidationError, match="must be a path inside the student's folder"):
        Rubric(assignment="a", questions=QUESTIONS, course_files=[name])


def test_a_package_is_named_as_pip_and_python_know_it():
    assert CoursePackage.model_validate("scikit-learn").module == "scikit_learn"
    assert CoursePackage.model_validate({"name": "scikit-learn", "module": "sklearn"}).module == "sklearn"


def test_run_as_main_must_end_before_the_import_limit():
    question = {"id": "q", "import_timeout": 30, "run_as_main": 30, "checks": QUESTIONS[0]["checks"]}
    with pytest.raises(ValidationError, match="run_as_main .30 s. must be shorter than import_timeout"):
        Rubric(assignment="a", questions=[question])
