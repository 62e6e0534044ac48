"""Simple ways a value goes wrong, made from the correct value: transposed, dimensions permuted, the opposite
sign, scaled by a constant, an extra dimension of size 1, unchanged by a step.

Each candidate is the value a student would have produced with that mistake, on the same inputs; the
caller names it only when the student's value matches it within the check's tolerance.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
import math
from fractions import Fraction

import torch

from grader.checks.base import Tolerance

MAX_PERMUTED_DIMS = 4  # 4! orders at most
MAX_DENOMINATOR = 64  # a factor shown as a fraction when one this simple matches as well


@dataclass(frozen=True)
class Candidate:
    """A wrong value on one trial, and how a student reads it (after "your dW1 equals the correct dW1 ...")."""

    key: str
    phrase: str
    value: torch.Tensor


def matches(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance) -> bool:
    """Same shape, every value finite and within ``atol + rtol * |expected|``."""
    if tuple(expected.shape) != tuple(got.shape) or got.is_complex() or expected.is_complex():
        return False
    e, g = expected.detach().to(torch.float64), got.detach().to(torch.float64)
    if not (torch.isfinite(e).all() and torch.isfinite(g).all()):
        return False
    return bool(((g - e).abs() <= tol.atol + tol.rtol * e.abs()).all())


def _factor_text(simple: Fraction) -> str:
    if simple.denominator == 1:
        return f"times {simple.numerator}"
    if simple.numerator == 1:
        return f"divided by {simple.denominator}"
    return f"times {simple.numerator}/{simple.denominator}"


def _scaled(delta: torch.Tensor, student_delta: torch.Tensor, base: torch.Tensor, tol: Tolerance,
            stepped: bool) -> list[Candidate]:
    """The least-squares factor between the two changes, offered as a simple fraction when that fits as well."""
    norm = float((delta * delta).sum())
    if norm == 0 or student_delta.shape != delta.shape:
        return []
    factor = float((delta * student_delta).sum()) / norm
    if not math.isfinite(factor) or abs(factor) < 1e-9 or abs(factor - 1) < 1e-6 or abs(factor + 1) < 1e-6:
        return []  # zero, the value itself and the sign have candidates of their own
    simple = Fraction(factor).limit_denominator(MAX_DENOMINATOR)
    if simple != 0 and matches(base + float(simple) * delta, base + student_delta, tol):
        factor = float(simple)
        text = _factor_text(simple) if not stepped else f"with the change from W scaled by {simple}"
    else:
        text = f"times {factor:.4g}" if not stepped else f"with the change from W scaled by {factor:.4g}"
    return [Candidate(f"scaled {factor:.6g}", text, base + factor * delta)]


def candidates(correct: torch.Tensor, student: torch.Tensor, tol: Tolerance,
               base: torch.Tensor | None = None) -> list[Candidate]:
    """Every simple mistake's value on this trial; with ``base`` (a parameter before a step), mistakes in the change."""
    correct = correct.detach().to(torch.float64)
    student = student.detach().to(torch.float64)
    zero = torch.zeros((), dtype=torch.float64)
    start = base.detach().to(torch.float64) if base is not None else zero
    delta = correct - start
    found = [Candidate("sign", "with the opposite sign" if base is None else
                       "moved the opposite way (W + lr * dW instead of W - lr * dW)", start - delta)]
    if base is not None:
        found.append(Candidate("unchanged", "left as it was before the step", start + 0 * delta))
    else:
        found += _layouts(correct, student)
    found += _scaled(delta, student - start, start, tol, stepped=base is not None)
    return found


def _layouts(correct: torch.Tensor, student: torch.Tensor) -> list[Candidate]:
    """The correct values laid out otherwise: transposed, dimensions permuted, an extra dimension of size 1."""
    found = []
    if correct.dim() >= 2:
        found.append(Candidate("transposed", "transposed", correct.transpose(-2, -1)))
    if 3 <= correct.dim() <= MAX_PERMUTED_DIMS and student.dim() == correct.dim():
        for order in itertools.permutations(range(correct.dim())):
            if list(order) != list(range(correct.dim())) and correct.permute(order).shape == student.shape:
                found.append(Candidate(f"permuted {order}", f"with its dimensions in the order {order}",
                                       correct.permute(order)))
    if student.dim() == correct.dim() + 1:
        for dim in range(student.dim()):
            if student.shape[dim] == 1 and student.squeeze(dim).shape == correct.shape:
                found.append(Candidate(f"kept {dim}", f"with an extra dimension of size 1 at dim {dim}",
                                       correct.unsqueeze(dim)))
    return found
