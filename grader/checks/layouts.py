"""Layouts that hold the same numbers: a weight stored transposed (``U`` of shape (k, n) used as ``U.T``) is the
same model, and a loss of shape (1, 1) is the same number as a 0-d loss, so a check may accept either."""
from __future__ import annotations

from grader.observe import Value


def transposed(value: Value) -> Value | None:
    """The value with its last two dimensions swapped (a tensor of at least 2 dimensions, or a list or tuple of
    values each transposed), else None when no other layout exists."""
    if value.type in ("tensor", "ndarray") and value.tensor is not None and value.tensor.dim() >= 2:
        if value.tensor.shape[-1] == value.tensor.shape[-2] == 1:
            return None
        return value.model_copy(update={"tensor": value.tensor.transpose(-2, -1).contiguous()})
    if value.type in ("list", "tuple") and value.items:
        items = [transposed(item) for item in value.items]
        return None if any(i is None for i in items) else value.model_copy(update={"items": items})
    return None


def in_either_layout(expected: Value, got: Value, compare, accept_transposed: bool) -> str | None:
    """``compare(expected, got)``, or None when ``accept_transposed`` and the other layout matches."""
    problem = compare(expected, got)
    if problem is None or not accept_transposed:
        return problem
    other = transposed(expected)
    if other is not None and compare(other, got) is None:
        return None
    return problem + (" (nor in the transposed layout)" if other is not None else "")
