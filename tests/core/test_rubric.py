"""Rubric validation: valid rubrics load, broken ones name the file, the line, the field and the fix."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.cli import main
from grader.rubric import RubricError, load_rubric
from tests.conftest import ROOT


GOOD = """\
assignment: toy
questions:
  - id: question1
    checks:
      - id: add
        kind: value
        call: add
        args: [{tensor: [n]}, {tensor: [n]}]
        dims: {n: [1, 3]}
        points: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    return info.value.problems


def test_shipped_rubric_is_valid():
    rubric = load_rubric(ROOT / "rubrics" / "comp4901y-hw1.yaml")
    assert rubric.max_total == 100
    assert [q.max_points for q in rubric.questions] == [15, 25, 20, 30, 10]
    assert rubric.questions[0].file == "question1.py"


def test_valid_toy(tmp_path):
    assert load_rubric(write(tmp_path, GOOD)).max_total == 2


def test_unknown_kind_names_line_and_choices(tmp_path):
    path = write(tmp_path, GOOD.replace("kind: value", "kind: valu"))
    [problem] = problems(path)
    assert problem.startswith(f"{path}:6:")
    assert "questions.0.checks.0" in problem
    assert "value" in problem and "gradient" in problem


def test_misspelt_field_suggests_the_right_one(tmp_path):
    path = write(tmp_path, GOOD.replace("points: 2", "point: 2"))
    assert problems(path) == [f"{path}:10: questions.0.checks.0.point: unknown field — rename `point` to `points`"]


def test_one_line_per_bad_argument_in_the_words_of_its_form(tmp_path):
    path = write(tmp_path, GOOD.replace("{tensor: [n]}, {tensor: [n]}", "{tensor: [n], dtyp: int64}, {tensr: [n]}"))
    assert problems(path) == [
        f"{path}:8: questions.0.checks.0.args.0.dtyp: Extra inputs are not permitted — remove `dtyp` "
        "(did you mean `dtype`?)",
        f"{path}:8: questions.0.checks.0.args.1: a mapping argument needs one of `tensor:`, `var:` or `dim:`"]


def test_a_field_misplaced_is_never_suggested_as_itself(tmp_path):
    path = write(tmp_path, GOOD + "        setup: [{call: f, kind: 1}]\n")
    [problem] = problems(path)
    assert problem.endswith("setup.0.kind: Extra inputs are not permitted — remove `kind` "
                            "(allowed here: call, args, kwargs, save)")


def test_a_value_of_no_allowed_type_is_one_error(tmp_path):
    path = write(tmp_path, """\
        assignment: toy
        questions:
          - id: question1
            checks:
              - {id: fit, kind: metric, function: f, driver: linear_fit, metric: slope, at_most: 3, points: 1,
                 driver_args: {lr: fast}}
        """)
    assert problems(path) == [f"{path}:6: questions.0.checks.0.driver_args.lr: expected a number or an integer"]


def test_an_integer_tensor_from_a_continuous_distribution_is_refused(tmp_path):
    path = write(tmp_path, GOOD.replace("{tensor: [n]}, {tensor: [n]}", "{tensor: [n], dtype: int64}, {tensor: [n]}"))
    [problem] = problems(path)
    assert problem.startswith(f"{path}:8: questions.0.checks.0.args.0: an int64 tensor draws integers from [low, high)")
    assert problem.endswith("add `high:` (a number or a size from `dims`, e.g. `high: vocab`)")


def test_missing_field(tmp_path):
    path = write(tmp_path, GOOD.replace("        call: add\n", ""))
    [problem] = problems(path)
    assert "value check needs `call: <function>`, `read: <global name>` or `driver:`" in problem
    assert f"{path}:5" in problem


def test_undeclared_dimension(tmp_path):
    path = write(tmp_path, GOOD.replace("dims: {n: [1, 3]}", "dims: {m: [1, 3]}"))
    [problem] = problems(path)
    assert "tensor dimension 'n' is not in `dims`" in problem and "add `dims:" in problem


def test_points_must_add_up(tmp_path):
    path = write(tmp_path, GOOD.replace("  - id: question1\n", "  - id: question1\n    points: 5\n"))
    [problem] = problems(path)
    assert "points is 5 but the checks add up to 2" in problem


def test_bad_yaml_names_line(tmp_path):
    path = write(tmp_path, GOOD.replace("dims: {n: [1, 3]}", "dims: {n: [1, 3]"))
    [problem] = problems(path)
    assert "not valid YAML" in problem and str(path) in problem


def test_wrong_type_is_located(tmp_path):
    path = write(tmp_path, GOOD.replace("points: 2", "points: lots"))
    [problem] = problems(path)
    assert f"{path}:10:" in problem and "points" in problem


def test_grade_validate_exit_codes(tmp_path, capsys):
    assert main(["validate", str(ROOT / "rubrics" / "comp4901y-hw1.yaml")]) == 0
    assert "is valid" in capsys.readouterr().out
    assert main(["validate", str(write(tmp_path, GOOD.replace("kind: value", "kind: nope")))]) == 2
    assert "nope" in capsys.readouterr().out


def test_unknown_driver_is_located_in_every_kind_that_takes_one(tmp_path):
    text = GOOD.replace("        points: 2\n", "        points: 2\n        driver: linear_fitt\n") + """\
      - id: curve
        kind: curve
        driver: nope
        points: 1
"""
    found = problems(write(tmp_path, text))
    assert any(":11: questions.0.checks.0.driver: unknown driver 'linear_fitt'" in p and "linear_fit," in p
               for p in found), found
    assert any(":14: questions.0.checks.1.driver: unknown driver 'nope'" in p for p in found), found
