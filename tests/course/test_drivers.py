"""The plain list of driver names that rubric validation reads stays in step with the drivers."""
from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from grader.checks.base import DriverName
from grader.course import DRIVER_NAMES
from grader.course.drivers import DRIVERS


def test_every_driver_is_named_once_and_every_name_is_a_driver():
    assert sorted(DRIVER_NAMES) == sorted(DRIVERS)
    assert len(set(DRIVER_NAMES)) == len(DRIVER_NAMES)


def test_an_unknown_driver_is_refused_with_the_known_ones_listed():
    adapter = TypeAdapter(DriverName)
    assert adapter.validate_python("linear_fit") == "linear_fit"
    with pytest.raises(ValidationError, match="unknown driver 'linear_fitt'.*linear_fit"):
        adapter.validate_python("linear_fitt")
