"""``kind: manual``: nothing runs, nothing is scored; the check waits for a marker's points."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from grader.observe import FileObservations, ImportInfo
from tests.checks.conftest import make_spec, observed, plan_of, score


def test_nothing_runs():
    plan = plan_of(make_spec("manual", instructions="Check tables 1-4"))
    assert plan.student == [] and plan.reference == []


def test_pending_with_the_instructions_whatever_the_code_did(tmp_path):
    spec = make_spec("manual", instructions="Tables 1-2: forward mode, one point per correct row",
                     answer_key="question4_key.py:tables")
    broken = FileObservations(module_file="question1.py", imported=ImportInfo(status="error", detail="does not parse"))
    for student in (observed(), broken):
        verdict = score(spec, student, folder=tmp_path)
        assert (verdict.fraction, verdict.final_status()) == (0.0, "manual")
        assert verdict.message == "pending: marked by hand: Tables 1-2: forward mode, one point per correct row"
    assert score(make_spec("manual"), observed()).message == "pending: marked by hand"


def test_an_answer_key_names_a_function_of_a_reference_file():
    assert make_spec("manual", answer_key="keys/question4_key.py:tables").answer_key == "keys/question4_key.py:tables"
    for bad in ("question4_key.py", "question4_key:tables", "question4_key.py:1tables", "key.py:tables; rm -rf /"):
        with pytest.raises(ValidationError):
            make_spec("manual", answer_key=bad)
