"""The one place that maps ``kind:`` in a rubric to its check module."""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from grader.checks import artifact, choice, curve, gradient, manual, metric, source, step, trace, value
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
}

AnyCheck = Annotated[Union[tuple(module.Spec for module in KINDS.values())], Field(discriminator="kind")]


def kind_of(spec) -> CheckKind:
    """The module implementing a spec's kind."""
    return KINDS[spec.kind]
