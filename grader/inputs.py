"""Seeded generation of probe inputs, identical in the child and in the parent."""
from __future__ import annotations

import hashlib
import typing

import torch

from grader.sandbox.protocol import DTypeName, InputSpec

_DTYPES = {name: getattr(torch, name) for name in typing.get_args(DTypeName)}


def derive_seed(*parts: object) -> int:
    """A stable 63-bit seed from any parts (rubric seed, check id, trial number)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


def generate_inputs(specs: dict[str, InputSpec], seed: int, device: str = "cpu") -> dict[str, torch.Tensor]:
    """Generate every input of a probe, in name order, from one CPU generator."""
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    for name in sorted(specs):
        spec = specs[name]
        dtype = _DTYPES[spec.dtype]
        if spec.distribution == "randint":
            t = torch.randint(int(spec.low), int(spec.high), spec.shape, generator=generator).to(dtype)
        elif spec.distribution == "uniform":
            t = torch.rand(spec.shape, generator=generator, dtype=torch.float64)
            if (spec.low, spec.high) != (0, 1):  # the same values bit for bit, one operation fewer in a cold child
                t = spec.low + (spec.high - spec.low) * t
            t = t.to(dtype)
        else:
            t = torch.randn(spec.shape, generator=generator, dtype=torch.float64)
            t = (t if spec.scale == 1 else t * spec.scale).to(dtype)
        if device != "cpu":
            t = t.to(device)
        if spec.requires_grad:
            t.requires_grad_(True)
        tensors[name] = t
    return tensors


def pristine_copies(inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Copies of freshly generated inputs, equal to them bit for bit (layout and ``requires_grad`` included):
    what ``generate_inputs`` would give again, at a fraction of its cost."""
    return {name: t.detach().clone().requires_grad_(True) if t.requires_grad else t.clone() for name, t in inputs.items()}
