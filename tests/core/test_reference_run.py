"""The reference scores full marks on its own rubric, and its observations are cached."""
from __future__ import annotations

import pytest

from grader.assignments import find_assignment
from grader.cli import main
from grader.plan import GradingPlan
from grader.reference_cache import reference_key, reference_observations

pytestmark = pytest.mark.slow


def test_grade_reference_gives_full_marks(capsys):
    assert main(["reference", "comp4901y-hw1"]) == 0
    assert "scores 60 / 60 automatic points (40 more are marked by hand)" in capsys.readouterr().out


def test_reference_is_cached_by_content(tmp_path, monkeypatch):
    plan = GradingPlan.build(find_assignment("comp4901y-hw1"))
    first, cached = reference_observations(plan)
    again, cached_again = reference_observations(plan)
    assert cached_again
    assert first["question2"].probes.keys() == again["question2"].probes.keys()
    t1 = first["question1"].probes["elementwise.values.t0"].values["result"].tensor
    t2 = again["question1"].probes["elementwise.values.t0"].values["result"].tensor
    assert t1.equal(t2)
    assert reference_key(plan) != reference_key(GradingPlan.build(plan.assignment, "cuda:0"))
