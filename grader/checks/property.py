"""``kind: property`` — what must hold of a value whatever its exact numbers: finite, within bounds, initialised.

For values the reference cannot pin down (a randomly initialised weight, probabilities, a loss): every
tensor (or number) in the value returned by ``call`` (or found by ``read``) must be finite, lie within
``[at_least, at_most]``, hold more than one distinct value (``initialised``: not zeros, not a constant,
not ``torch.empty`` left as it came), and have a mean and standard deviation inside the given ranges.
No reference is needed; the reference must pass it too (``grade reference``).
"""
from __future__ import annotations

from typing import Literal

import torch
from pydantic import model_validator

from grader.checks.base import Evidence, Plan, PlanContext, Verdict
from grader.checks.scenario import ScenarioSpec, build_probe
from grader.checks.trials import score_trials
from grader.observe import Value


class Spec(ScenarioSpec):
    """``finite``, ``at_least``/``at_most`` (every element), ``initialised``, ``mean``/``std`` ranges ``[lo, hi]``."""

    kind: Literal["property"]
    read: str | None = None
    finite: bool = True
    at_least: float | None = None
    at_most: float | None = None
    initialised: bool = False
    mean: tuple[float, float] | None = None
    std: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _target(self) -> "Spec":
        if not self.call and not self.read and not self.driver:
            raise ValueError("a property check needs `call: <function>`, `read: <name>` or `driver:`")
        if self.at_least is not None and self.at_most is not None and self.at_least > self.at_most:
            raise ValueError(f"at_least ({self.at_least:g}) is above at_most ({self.at_most:g})")
        for name, bounds in (("mean", self.mean), ("std", self.std)):
            if bounds is not None and bounds[0] > bounds[1]:
                raise ValueError(f"{name}: [{bounds[0]:g}, {bounds[1]:g}] is empty; write [low, high]")
        return self

    def rules(self) -> list[str]:
        """The properties asked for, in words."""
        words = ["finite"] if self.finite else []
        if self.at_least is not None or self.at_most is not None:
            low = "-inf" if self.at_least is None else f"{self.at_least:g}"
            high = "inf" if self.at_most is None else f"{self.at_most:g}"
            words.append(f"within [{low}, {high}]")
        words += ["initialised"] if self.initialised else []
        words += [f"{n} in [{b[0]:g}, {b[1]:g}]" for n, b in (("mean", self.mean), ("std", self.std)) if b]
        return words


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Student probes only: the rules need no expected value."""
    return Plan(student=[build_probe(spec, t, ctx, observe=[spec.read] if spec.read else [])
                         for t in range(spec.trials)])


def _tensors(value: Value, where: str = "") -> list[tuple[str, torch.Tensor]] | str:
    if value.type in ("tensor", "ndarray", "number", "bool") and value.as_tensor() is not None:
        return [(where, value.as_tensor())]
    if value.type in ("list", "tuple", "dict") and value.items:
        labels = value.keys or [f"[{i}]" for i in range(len(value.items))]
        found = []
        for label, item in zip(labels, value.items):
            inner = _tensors(item, f"{where} {label}".strip())
            if isinstance(inner, str):
                return inner
            found += inner
        return found
    return f"returned a {value.describe()}, expected a tensor or numbers"


def _first(mask: torch.Tensor) -> str:
    return str([int(i) for i in mask.nonzero()[0]]) if mask.dim() else "[]"


def _problem(spec: Spec, tensor: torch.Tensor) -> str | None:
    t = tensor.detach().to(torch.float64)
    if t.numel() == 0:
        return "is empty"
    if spec.finite and not bool(torch.isfinite(t).all()):
        bad = ~torch.isfinite(t)
        count = int(bad.sum())
        return f"has {count} non-finite value{'s' if count > 1 else ''} (first at {_first(bad)}: {t[bad][0].item():g})"
    if spec.at_least is not None and bool((t < spec.at_least).any()):
        return f"has values below {spec.at_least:g} (smallest {t.min().item():.6g} at {_first(t == t.min())})"
    if spec.at_most is not None and bool((t > spec.at_most).any()):
        return f"has values above {spec.at_most:g} (largest {t.max().item():.6g} at {_first(t == t.max())})"
    finite = t[torch.isfinite(t)]
    if spec.initialised and (finite.numel() < 2 or bool((finite == finite.flatten()[0]).all())):
        constant = finite.flatten()[0].item() if finite.numel() else float("nan")
        return f"holds only the value {constant:g}: it looks uninitialised (zeros, a constant, or torch.empty)"
    for name, bounds, measured in (("mean", spec.mean, finite.mean()),
                                   ("std", spec.std, finite.std() if finite.numel() > 1 else torch.tensor(0.0))):
        if bounds and not bounds[0] <= measured.item() <= bounds[1]:
            return f"has {name} {measured.item():.4g}, expected between {bounds[0]:g} and {bounds[1]:g}"
    return None


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """Share of trials whose value has every property asked for."""
    name = spec.read or "result"

    def judge(_ref, student, _trial):
        if name not in student.values:
            return f"`{name}` was not produced"
        found = _tensors(student.values[name])
        if isinstance(found, str):
            return found
        for where, tensor in found:
            if problem := _problem(spec, tensor):
                return (f"{where} " if where else "") + problem
        return None

    what = f"`{spec.read}`" if spec.read else f"`{spec.call}`" if spec.call else "the result"
    return score_trials(spec, evidence, judge, needs_reference=False,
                        passed_text=f"{what} is {', '.join(spec.rules()) or 'as required'}")
