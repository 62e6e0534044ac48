"""The names the trace records for torch functions, so that a rubric's op patterns can be checked before grading.

The child names every call with ``tracing.op_name``: functions as ``torch.einsum``,
``torch.nn.functional.relu`` and ``torch.autograd.grad``; tensor methods and operators as
``Tensor.sum``, ``Tensor.matmul`` (also for ``@``), ``Tensor.__getitem__`` (indexing);
attributes as ``Tensor.T.get``, ``Tensor.grad.get``; ``torch.linalg.norm`` as ``torch.linalg_norm`` and
``torch.nn.init.uniform_`` as ``torch.uniform_`` (the ops inside a recorded call are not recorded).
The same function applied here to everything torch exposes gives every name a trace can hold.
"""
from __future__ import annotations

import difflib
import fnmatch
import functools
import types

import torch

from grader.sandbox.child.tracing import op_name

EXTRA_NAMES = ("requires_grad=True",)  # counted when a call passes requires_grad=True


@functools.cache
def known_op_names() -> frozenset[str]:
    """Every op name a trace can record."""
    names: set[str] = set(EXTRA_NAMES)
    for owner in (torch, torch.nn.functional, torch.nn.init, torch.autograd, torch.linalg, torch.fft, torch.special,
                  torch.Tensor):
        for name in dir(owner):
            try:
                attr = getattr(owner, name)
            except Exception:  # noqa: BLE001 - a lazily loaded attribute that fails to load is no op
                continue
            if owner is torch.Tensor and hasattr(attr, "__get__") and not callable(attr):
                names.add(op_name(attr.__get__))
                if hasattr(attr, "__set__"):
                    names.add(op_name(attr.__set__))
            elif callable(attr) and not isinstance(attr, (type, types.ModuleType)):
                names.add(op_name(attr))
    return frozenset(names)


def pattern_problem(pattern: str) -> str | None:
    """Why a glob pattern (alternatives split by ``|``) can never match a recorded op, or None."""
    for alternative in pattern.split("|"):
        if any(fnmatch.fnmatchcase(name, alternative) for name in known_op_names()):
            continue
        if alternative.startswith("torch.Tensor."):
            better = "Tensor." + alternative.removeprefix("torch.Tensor.")
        else:
            better = next(iter(difflib.get_close_matches(alternative, known_op_names(), n=1)), None)
        hint = f"; did you mean `{better}`?" if better else ""
        return (f"op pattern `{alternative}` matches no name the trace records (functions are `torch.einsum`, "
                f"methods and operators `Tensor.sum`, `Tensor.matmul` for @, attributes `Tensor.T.get`){hint}")
    return None
