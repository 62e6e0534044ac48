"""Choosing the device probes run on."""
from __future__ import annotations


class DeviceError(Exception):
    """The requested device cannot be used here."""


def resolve_device(name: str) -> str:
    """Validate ``cpu``, ``cuda`` or ``cuda:N``; a clear error when CUDA is absent."""
    if name == "cpu":
        return "cpu"
    if name == "cuda" or name.startswith("cuda:"):
        import torch

        if not torch.cuda.is_available():
            raise DeviceError(f"--device {name} was asked for, but this machine has no usable CUDA device "
                              "(torch.cuda.is_available() is False); grade with --device cpu")
        index = int(name.split(":", 1)[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(f"--device {name}: only {torch.cuda.device_count()} CUDA device(s) are visible")
        return f"cuda:{index}"
    raise DeviceError(f"unknown device {name!r}; use cpu, cuda or cuda:N")
