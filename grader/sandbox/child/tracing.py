"""Recording which torch functions a call really ran (inside the child)."""
from __future__ import annotations

from collections import Counter

from torch.overrides import TorchFunctionMode


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


class OpRecorder(TorchFunctionMode):
    """Counts every torch function called while active, including hidden or indirect calls."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: D105
        kwargs = kwargs or {}
        self.counts[op_name(func)] += 1
        if kwargs.get("requires_grad") is True:
            self.counts["requires_grad=True"] += 1
        return func(*args, **kwargs)
