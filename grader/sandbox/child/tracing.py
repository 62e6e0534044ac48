"""Recording which torch functions a call really ran, and the values the named loss functions return (in the child)."""
from __future__ import annotations

import contextlib
import functools
import math
from collections import Counter, deque

import torch
from torch.overrides import TorchFunctionMode

from grader.observe import LOSSES_KEPT, SEQUENCE_RUNS


def op_name(func: object) -> str:
    """A stable public name for a torch function: ``torch.einsum``, ``Tensor.backward``."""
    name = getattr(func, "__name__", None) or type(func).__name__
    owner = getattr(func, "__self__", None)
    if name in ("__get__", "__set__") and owner is not None:
        return f"Tensor.{getattr(owner, '__name__', '?')}.{name.strip('_')}"
    qualname = getattr(func, "__qualname__", name) or name
    if qualname.startswith(("TensorBase.", "Tensor.")):
        return "Tensor." + qualname.split(".", 1)[1]
    module = getattr(func, "__module__", None) or "torch"
    if module.startswith("torch.autograd"):
        return f"torch.autograd.{name}"
    if module.startswith("torch.nn.functional"):
        return f"torch.nn.functional.{name}"
    return f"torch.{name}"


def _is_attribute(name: str) -> bool:
    """``Tensor.shape.get``, ``Tensor.grad.set``: reading or setting an attribute, not an operation."""
    return name.endswith((".get", ".set"))


class OpRecorder(TorchFunctionMode):
    """Counts every torch function called while active, including hidden or indirect calls, and keeps
    the order of the first ``SEQUENCE_RUNS`` runs of operations (attribute reads left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()
        self.sequence: list[list] = []  # [name, times in a row]

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: D105
        kwargs = kwargs or {}
        name = op_name(func)
        self.counts[name] += 1
        if kwargs.get("requires_grad") is True:
            self.counts["requires_grad=True"] += 1
        if not _is_attribute(name):
            if self.sequence and self.sequence[-1][0] == name:
                self.sequence[-1][1] += 1
            elif len(self.sequence) < SEQUENCE_RUNS:
                self.sequence.append([name, 1])
        return func(*args, **kwargs)


def _loss_value(result: object) -> float | None:
    """A loss call's value as a float (a per-sample loss counts as its mean), or None when it is not a tensor."""
    if not isinstance(result, torch.Tensor) or result.numel() == 0:
        return None
    with torch._C.DisableTorchFunction():
        value = result.detach().float().mean() if result.numel() > 1 else result.detach().reshape(())
        return float(value.item())


def _resolve(dotted: str) -> object | None:
    """``torch.nn.functional`` -> that module (None when a part is missing)."""
    obj: object = torch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


class LossRecorder:
    """Wraps the named loss functions while active, keeping the first and the last ``LOSSES_KEPT`` values
    they return and how many calls there were.

    Only those functions are wrapped (a mode on every torch op would slow a whole training run by a
    half): ``nn.CrossEntropyLoss()(...)`` reaches the wrapper through ``F.cross_entropy``, and so does
    a name the script imported (``from torch.nn.functional import mse_loss as mse``) after the wrapping.
    A named loss that calls another named one is recorded once.
    """

    def __init__(self, names: list[str]) -> None:
        self.names = list(names)
        self.count = 0
        self.first: list[float] = []
        self.last: deque[float] = deque(maxlen=LOSSES_KEPT)
        self._saved: list[tuple[object, str, object]] = []
        self._inside = False

    def _keep(self, result: object) -> None:
        try:
            value = _loss_value(result)
        except Exception:  # noqa: BLE001 - a student tensor subclass may refuse; the call itself succeeded
            value = None
        if value is not None:
            self.count += 1
            if len(self.first) < LOSSES_KEPT:
                self.first.append(value)
            self.last.append(value)

    def _wrap(self, original):
        @functools.wraps(original)
        def recorded(*args, **kwargs):
            if self._inside:
                return original(*args, **kwargs)
            self._inside = True
            try:
                result = original(*args, **kwargs)
            finally:
                self._inside = False
            self._keep(result)
            return result
        return recorded

    def __enter__(self) -> "LossRecorder":
        for name in self.names:
            owner_name, attr = name.rsplit(".", 1)
            owner = _resolve(owner_name)
            original = getattr(owner, attr, None) if owner is not None else None
            if callable(original):
                self._saved.append((owner, attr, original))
                setattr(owner, attr, self._wrap(original))
        return self

    def __exit__(self, *exc_info) -> None:
        for owner, attr, original in reversed(self._saved):
            setattr(owner, attr, original)
        self._saved.clear()

    def payload(self) -> dict:
        """What is sent: ``{"count": n, "first": [...], "last": [...]}`` (non-finite values as text)."""
        def plain(values) -> list:
            return [v if math.isfinite(v) else str(v) for v in values]
        return {"count": self.count, "first": plain(self.first), "last": plain(self.last)}


class ImportLosses:
    """One ``LossRecorder`` per set of loss functions the probes name, all active while the file runs (a function
    named in two sets is wrapped twice, each wrapper recording for its own set)."""

    def __init__(self, wanted: list[list[str]]) -> None:
        self.recorders = {key: LossRecorder(list(key)) for key in {tuple(sorted(names)) for names in wanted if names}}
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> "ImportLosses":
        for recorder in self.recorders.values():
            self._stack.enter_context(recorder)
        return self

    def __exit__(self, *exc_info) -> None:
        self._stack.close()

    def payload(self, names: list[str]) -> dict | None:
        """What was recorded for a probe naming ``names`` (None when it names none)."""
        recorder = self.recorders.get(tuple(sorted(names)))
        return recorder.payload() if recorder is not None else None
