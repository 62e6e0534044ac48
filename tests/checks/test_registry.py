"""The registry maps each rubric ``kind:`` to its module, and every kind has tests of its own here."""
from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from grader.checks.registry import KINDS, AnyCheck, kind_of


def test_every_kind_has_its_own_test_file():
    here = Path(__file__).parent
    assert [kind for kind in KINDS if not (here / f"test_{kind}.py").is_file()] == []


def test_a_rubric_entry_is_parsed_by_the_spec_of_its_kind():
    adapter = TypeAdapter(AnyCheck)
    spec = adapter.validate_python({"id": "plot_pdf", "kind": "artifact", "points": 2, "file": "q2.pdf"})
    assert isinstance(spec, KINDS["artifact"].Spec) and kind_of(spec) is KINDS["artifact"]
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        adapter.validate_python({"id": "x", "kind": "essay", "points": 1})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        adapter.validate_python({"id": "x", "kind": "manual", "point": 1})
    with pytest.raises(ValidationError, match="should match pattern"):
        adapter.validate_python({"id": "x y", "kind": "manual", "points": 1})
