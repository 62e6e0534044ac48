"""What drivers do when the student's code cannot take the handout's data as it is (inside the child).

The handout's data comes in the handout's dtype (iris as ``torch.tensor(df.values)`` reads it: float64). A
student who made their factors with ``torch.rand`` (float32) and ran their code on ``data.float()`` gets a
dtype error on float64 data through no fault of the work; the driver then runs the code again, from the same
seed, in the dtype the student's own code uses, and says so. A longer tuple whose first items are the answer
is read by its prefix, and said so too (deducted as a deviation from the handout's interface).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable, TypeVar

import torch

from grader.sandbox.child.adapt import note
from grader.sandbox.child.seeding import seed_everything

T = TypeVar("T")
_DTYPE_WORDS = re.compile(r"dtype|Double|Float|double|float|Half|BFloat|scalar type", re.IGNORECASE)
_FLOATS = (torch.float32, torch.float64)


def students_dtype(subject: Any, avoid: torch.dtype) -> torch.dtype | None:
    """The floating dtype the student's own code works in, other than ``avoid``: the most common one among the
    tensors of their module (a function's globals, an object's attributes), else torch's default dtype, else
    the other of float32 and float64."""
    namespace = getattr(subject, "__globals__", None) or getattr(subject, "__dict__", None) or {}
    found = Counter(v.dtype for v in list(namespace.values()) if isinstance(v, torch.Tensor) and v.is_floating_point()
                    and v.dtype != avoid)
    if found:
        return found.most_common(1)[0][0]
    if torch.get_default_dtype() != avoid:
        return torch.get_default_dtype()
    return next((d for d in _FLOATS if d != avoid), None)


def in_students_dtype(run: Callable[[torch.dtype], T], handout: torch.dtype, subject: Any, seed: int) -> T:
    """``run(handout)``; when that raises a dtype error, ``run`` again from the same seed in the student's dtype,
    noted (the first error stands when the second run fails too)."""
    try:
        return run(handout)
    except (RuntimeError, TypeError) as exc:
        theirs = students_dtype(subject, handout)
        if theirs is None or not _DTYPE_WORDS.search(str(exc)):
            raise
        first = exc
    seed_everything(seed)
    try:
        result = run(theirs)
    except BaseException:
        raise first from None
    what = getattr(subject, "__name__", "the code")
    said = str(first).splitlines()[0][:160] if str(first) else type(first).__name__
    note("dtype", f"`{what}` raised {type(first).__name__} ({said}) on the handout's {_name(handout)} data, so it "
                  f"was run again on the same data in {_name(theirs)}, the dtype your code uses")
    return result


def _name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def first_items(returned: Any, count: int, what: str, shape: str) -> tuple:
    """The first ``count`` items of what a function returned, noted when it returned more (``(U, V, losses)``
    where ``(U, V)`` was asked)."""
    if isinstance(returned, (tuple, list)) and len(returned) > count:
        note("tuple", f"`{what}` returned {len(returned)} items where the handout asks for {shape}; the first "
                      f"{count} were graded")
        return tuple(returned[:count])
    return returned
