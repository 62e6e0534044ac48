"""Seeded generation of probe inputs, identical in the child and in the parent.

The fork server generates the inputs of the probe sets it is sent once (``prepare_inputs``, CPU only), and each
child forked after it takes its own copy-on-write copy of them (``take_inputs``) instead of generating them again.
"""
from __future__ import annotations

import hashlib
import typing

import torch

from grader.sandbox.protocol import DTypeName, InputSpec, Probe

_DTYPES = {name: getattr(torch, name) for name in typing.get_args(DTypeName)}
PREPARED_BYTES = 64 << 20  # at most this much of prepared inputs is kept (in the fork server)
_prepared: dict[tuple, dict[str, torch.Tensor]] = {}  # (seed, specs) -> the inputs generate_inputs gives, on the CPU


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


_SPEC_FIELDS = tuple(InputSpec.model_fields)  # every field: one added to InputSpec is in the key too


def _key(specs: dict[str, InputSpec], seed: int) -> tuple:
    return seed, tuple((name, *(tuple(v) if isinstance(v, list) else v for v in map(s.__getattribute__, _SPEC_FIELDS)))
                       for name, s in sorted(specs.items()))


def prepare_inputs(probes: list[Probe]) -> None:
    """Generate the CPU inputs of ``probes`` now, for ``take_inputs`` in the processes forked after (at most
    ``PREPARED_BYTES`` in all)."""
    held = sum(t.nbytes for tensors in _prepared.values() for t in tensors.values())
    for probe in probes:
        key = _key(probe.inputs, probe.seed)
        if not probe.inputs or key in _prepared:
            continue
        tensors = generate_inputs(probe.inputs, probe.seed)
        held += sum(t.nbytes for t in tensors.values())
        if held > PREPARED_BYTES:
            return
        _prepared[key] = tensors


def take_inputs(specs: dict[str, InputSpec], seed: int, device: str = "cpu") -> dict[str, torch.Tensor]:
    """What ``generate_inputs`` gives: the prepared inputs (taken, so that the same key asked again in this
    process is generated afresh) or, when none were prepared, generated now."""
    prepared = _prepared.pop(_key(specs, seed), None) if device == "cpu" else None
    return prepared if prepared is not None else generate_inputs(specs, seed, device)
