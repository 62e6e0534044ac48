"""The grader's own measurements of autograd inside the child: where gradients reach, what carries a graph.

They run like drivers (a probe step names them as ``grader.<function>``) and return plain data only:
the parent never sees a graph, only what these functions say about it.
"""
from __future__ import annotations

from typing import Any

import torch

REACHED, NO_GRADIENT, ZERO, FROZEN = "reached", "no gradient", "zero gradient", "does not require grad"


def _parameters(model: Any, names: list[str] | None) -> dict[str, Any]:
    """The model's trainable tensors: named ones, an ``nn.Module``'s parameters, or tensor attributes that
    require grad (a hand-written autograd model)."""
    if names:
        found = {}
        for name in names:
            value = model
            for part in name.split("."):
                value = getattr(value, part)
            found[name] = value
        return found
    if isinstance(model, torch.nn.Module):
        return dict(model.named_parameters())
    return {k: v for k, v in vars(model).items() if isinstance(v, torch.Tensor) and v.requires_grad}


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value] if value.is_floating_point() or value.is_complex() else []
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []


def _loss(output: Any, seed: int) -> torch.Tensor | None:
    """A scalar that depends on every element of every output tensor: a one-element output is itself, a larger
    one is weighted by seeded random numbers (a plain sum of softmax outputs would have no gradient)."""
    parts = [t for t in _tensors(output) if t.requires_grad]
    if not parts:
        return None
    generator = torch.Generator().manual_seed(seed)
    total = 0
    for t in parts:
        weights = torch.rand(t.shape, generator=generator, dtype=torch.float64).to(t.device, t.dtype) + 0.5
        total = total + (t.sum() if t.numel() == 1 else (t * weights).sum())
    return total


def parameter_gradients(model: Any, output: Any, seed: int = 0, names: list[str] | None = None) -> dict[str, str]:
    """For every trainable tensor of ``model``: whether a gradient of ``output`` reaches it."""
    params = _parameters(model, names)
    states = {name: FROZEN for name, p in params.items() if not (isinstance(p, torch.Tensor) and p.requires_grad)}
    live = {name: p for name, p in params.items() if name not in states}
    loss = _loss(output, seed)
    if loss is None:
        return {**states, **{name: NO_GRADIENT for name in live}}
    grads = torch.autograd.grad(loss, list(live.values()), allow_unused=True) if live else []
    for (name, _), grad in zip(live.items(), grads):
        states[name] = NO_GRADIENT if grad is None else ZERO if not bool(grad.ne(0).any()) else REACHED
    return dict(sorted(states.items()))


def graph_flags(value: Any) -> Any:
    """Which tensors of a value carry an autograd graph (``requires_grad``), in the value's own nesting."""
    if isinstance(value, torch.Tensor):
        return bool(value.requires_grad)
    if isinstance(value, (list, tuple)):
        return [graph_flags(v) for v in value[:100]]
    if isinstance(value, dict):
        return {str(k): graph_flags(v) for k, v in list(value.items())[:100]}
    return None
