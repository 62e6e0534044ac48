"""The one place that maps ``kind:`` in a rubric to its check module."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from grader.checks import (artifact, choice, curve, gradient, gradient_flow, manual, metric, shape, source, step,
                           trace, value)
from grader.checks import property as property_kind  # the module's name is the kind's, `property` stays the builtin
from grader.checks.base import CheckKind

KINDS: dict[str, CheckKind] = {
    "value": value,
    "gradient": gradient,
    "step": step,
    "curve": curve,
    "metric": metric,
    "choice": choice,
    "source": source,
    "trace": trace,
    "artifact": artifact,
    "manual": manual,
    "shape": shape,
    "property": property_kind,
    "gradient_flow": gradient_flow,
}

AnyCheck = Annotated[Union[tuple(module.Spec for module in KINDS.values())], Field(discriminator="kind")]


def kind_of(spec) -> CheckKind:
    """The module implementing a spec's kind."""
    return KINDS[spec.kind]
