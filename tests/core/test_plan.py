"""GradingPlan: each check planned once per assignment and device, rebuilt (not mutated) for another seed."""
from __future__ import annotations

from grader.assignments import find_assignment
from grader.plan import GradingPlan


def test_the_plan_covers_every_check_and_its_probes():
    assignment = find_assignment("comp4901y-hw1")
    plan = GradingPlan.build(assignment)
    assert list(plan.questions) == [q.id for q in assignment.rubric.questions]
    for question in assignment.rubric.questions:
        qplan = plan.questions[question.id]
        assert list(qplan.checks) == [c.id for c in question.checks]
        assert qplan.ctx.device == "cpu" and qplan.ctx.seed == assignment.rubric.seed
    q1 = plan.questions["question1"]
    assert q1.probes("student") and all(p.id for p in q1.probes("student"))


def test_another_seed_gives_another_plan_and_leaves_the_first_alone():
    plan = GradingPlan.build(find_assignment("comp4901y-hw1"))
    before = [p.model_dump() for p in plan.questions["question1"].probes("student")]
    other = plan.with_seed(plan.assignment.rubric.seed + 1)
    assert other.assignment.rubric.seed == plan.assignment.rubric.seed + 1
    assert [p.model_dump() for p in plan.questions["question1"].probes("student")] == before
    assert [p.seed for p in other.questions["question1"].probes("student")] != [p["seed"] for p in before]


def test_wanted_names_are_what_the_checks_call_read_or_look_in():
    plan = GradingPlan.build(find_assignment("comp4901y-hw1"))
    wanted = plan.questions["question1"].wanted_names()
    assert {"element_wise_multiplication", "batch_transposed_matrix_multiplication"} <= wanted
    assert "torch" not in wanted
