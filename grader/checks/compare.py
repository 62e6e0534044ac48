"""Comparing a student's value with the reference's under a tolerance, with actionable messages.

Differences a careful marker ignores are ignored here: a one-element tensor is its value whatever its shape
(``squeeze``: a 1 x 1 loss from ``(y' - y) ** 2`` is the reference's 0-d ``loss.sum()``), and a dtype is
judged only where the caller demands one (values are compared as float64 numbers). A longer tuple whose
first items are the answer passes when the caller collects ``notes`` (the deviation is then deducted).
"""
from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from grader.checks.base import Tolerance
from grader.observe import Deviation, Value

ShapeRule = Literal["exact", "squeeze", "scalar"]
"""``squeeze``: one-element tensors compare by value whatever their shape; ``scalar``: so do they where the
reference's is 0-d (a scalar by design, not a size-1 draw); ``exact``: shapes must match."""


def fmt_shape(shape: torch.Size | tuple) -> str:
    """``(2, 3, 5)``, and ``()`` for a scalar."""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _dtype(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def compare_tensors(expected: torch.Tensor, got: torch.Tensor, tol: Tolerance, check_dtype: bool = True, *,
                    shape: ShapeRule = "exact", dtype: str | None = None) -> str | None:
    """None when ``got`` matches ``expected``; otherwise the first reason it does not.

    ``check_dtype``: ``got`` must have the expected tensor's dtype; ``dtype``: it must have that one (a rubric's
    demand, e.g. ``float64``)."""
    if (shape == "squeeze" or (shape == "scalar" and expected.dim() == 0)) and got.numel() == 1 and expected.numel() == 1:
        got, expected = got.reshape(()), expected.reshape(())
    if tuple(got.shape) != tuple(expected.shape):
        return f"shape {fmt_shape(got.shape)}, expected {fmt_shape(expected.shape)}"
    if dtype is not None and _dtype(got.dtype) != dtype:
        return f"dtype {_dtype(got.dtype)}, expected {dtype} (the rubric asks for {dtype})"
    if check_dtype and dtype is None and got.dtype != expected.dtype:
        return f"dtype {_dtype(got.dtype)}, expected {_dtype(expected.dtype)}"
    if got.is_complex() or expected.is_complex():
        return "complex values are not expected here"
    g = got.detach().to(torch.float64)
    e = expected.detach().to(torch.float64)
    if g.numel() == 0 or _finite_and_close(g.cpu().numpy(), e.cpu().numpy(), tol):
        return None
    bad_nan = torch.isnan(g) & ~torch.isnan(e)
    if bad_nan.any():
        index = tuple(int(i) for i in bad_nan.nonzero()[0])
        return f"NaN at {list(index)} where the reference has {e[index].item():.6g}"
    finite_mismatch = torch.isinf(g) != torch.isinf(e)
    if finite_mismatch.any():
        index = tuple(int(i) for i in finite_mismatch.nonzero()[0])
        return f"{g[index].item():.6g} at {list(index)} where the reference has {e[index].item():.6g}"
    both = torch.isfinite(g) & torch.isfinite(e)
    diff = torch.where(both, (g - e).abs(), torch.zeros_like(g))
    allowed = tol.atol + tol.rtol * e.abs()
    bad = (diff > torch.where(both, allowed, torch.full_like(g, float("inf")))) | ((g != e) & ~both & ~torch.isnan(e))
    if not bad.any():
        return None
    index = tuple(int(i) for i in bad.nonzero()[0])
    max_abs = diff.max().item()
    rel = (diff / e.abs().clamp_min(1e-12)).max().item()
    return (f"{int(bad.sum())} of {g.numel()} values differ; first at {list(index)}: got {g[index].item():.6g}, "
            f"expected {e[index].item():.6g}; max abs error {max_abs:.3g}, max rel error {rel:.3g} "
            f"(tolerance rtol={tol.rtol:g}, atol={tol.atol:g})")


def _finite_and_close(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> bool:
    """The common case, decided in a few NumPy operations: every value finite and within the tolerance (the
    rest, and the message, take the tensor path)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.isfinite(got).all() and np.isfinite(expected).all()
                    and (np.abs(got - expected) <= tol.atol + tol.rtol * np.abs(expected)).all())


def compare_values(expected: Value, got: Value, tol: Tolerance, check_dtype: bool = True, *,
                   shape: ShapeRule = "exact", dtype: str | None = None,
                   notes: list[Deviation] | None = None) -> str | None:
    """None when the student's value matches the reference's; otherwise why not.

    With ``notes``, a tuple or list longer than the reference's whose first items match passes, and the
    deviation is appended to ``notes``."""
    rules = {"shape": shape, "dtype": dtype}
    if expected.type == "tensor":
        if got.type != "tensor":
            return f"returned a {got.describe()}, expected a torch.Tensor"
        if got.class_name:
            return f"returned an instance of {got.class_name}, expected a plain torch.Tensor"
        return compare_tensors(expected.tensor, got.tensor, tol, check_dtype, **rules)
    if expected.type in ("number", "bool"):
        got_t = got.as_tensor() if got.type in ("number", "bool") or (got.tensor is not None and got.tensor.numel() == 1) else None
        if got_t is None:
            return f"returned a {got.describe()}, expected a number"
        return compare_tensors(expected.as_tensor().reshape(()), got_t.reshape(()).to(torch.float64), tol, False)
    if expected.type in ("list", "tuple"):
        if got.type not in ("list", "tuple"):
            return f"returned a {got.describe()}, expected a {expected.type} of {len(expected.items)} items"
        want, have = len(expected.items), len(got.items)
        if have < want or (have > want and notes is None):
            return f"returned {have} items, expected {want}"
        for i, (e, g) in enumerate(zip(expected.items, got.items)):
            problem = compare_values(e, g, tol, check_dtype, **rules, notes=notes)
            if problem:
                return f"item {i}: {problem}"
        if have > want:
            notes.append(Deviation(kind="tuple", text=f"returned {have} items where the handout asks for {want}; "
                                                      f"the first {want} were graded"))
        return None
    if expected.type != got.type:
        return f"returned a {got.describe()}, expected a {expected.describe()}"
    if expected.type == "ndarray":
        return compare_tensors(expected.tensor, got.tensor, tol, check_dtype, **rules)
    if expected.type == "dict":
        return _compare_dicts(expected, got, tol, check_dtype, rules)
    if expected.type == "bytes" and not torch.equal(expected.tensor, got.tensor):
        return f"returned {got.describe()}, which differ from the expected {expected.describe()}"
    if expected.type == "str" and expected.text != got.text:
        return f"returned {got.text!r}, expected {expected.text!r}"
    return None


def _compare_dicts(expected: Value, got: Value, tol: Tolerance, check_dtype: bool, rules: dict) -> str | None:
    """The first key missing, differing or extra in the student's dict, else None."""
    want = dict(zip(expected.keys or [], expected.items or []))
    have = dict(zip(got.keys or [], got.items or []))
    for key, value in want.items():
        if key not in have:
            return f"has no key {key!r}"
        problem = compare_values(value, have[key], tol, check_dtype, **rules)
        if problem:
            return f"key {key!r}: {problem}"
    extra = next((key for key in have if key not in want), None)
    return None if extra is None else f"has a key {extra!r} the reference does not have"
