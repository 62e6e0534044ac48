"""Scoring repeated trials: the share of trials passed, and the first failure explained."""
from __future__ import annotations

from typing import Callable

from grader.checks.base import Evidence, Verdict, probe_problem, reference_problem
from grader.checks.scenario import ScenarioSpec, describe_sizes, probe_id
from grader.observe import Observation


def score_trials(spec: ScenarioSpec, evidence: Evidence, judge: Callable[[Observation, Observation, int], str | None],
                 needs_reference: bool = True, passed_text: str = "correct") -> Verdict:
    """Run ``judge(reference_obs, student_obs, trial)`` on every trial; it returns None or a problem."""
    passed, first_problem, first_raw, errored = 0, None, None, 0
    for trial in range(spec.trials):
        pid = probe_id(spec, trial)
        ref = evidence.reference_probe(pid)
        if needs_reference and (bad := reference_problem(ref)):
            return bad
        student = evidence.student_probe(pid)
        problem = probe_problem(student, evidence.student.imported.defined, evidence.student.module_file)
        if problem:
            errored += 1
        else:
            problem = judge(ref, student, trial)
        if problem is None:
            passed += 1
        elif first_problem is None:
            sizes = describe_sizes(spec, trial, evidence.ctx)
            where = f"trial {trial + 1}" + (f" ({sizes})" if sizes else "")
            first_problem, first_raw = f"{where}: {problem}", problem
    n = spec.trials
    if passed == n:
        return Verdict(1.0, f"{passed_text} on all {n} trials" if n > 1 else passed_text)
    if errored == n:
        return Verdict(0.0, first_raw, status="error")
    summary = f"passed {passed} of {n} trials; " if n > 1 else ""
    return Verdict(passed / n, summary + first_problem)
