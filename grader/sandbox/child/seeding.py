"""Seeding every generator a probe draws from: Python's, NumPy's and torch's.

``torch.manual_seed`` also queues a seed for CUDA while CUDA has not started, and formats the whole
call stack to do so (~0.7 ms a call, most of a small probe's cost). A CPU run never starts CUDA, so
only the CPU generator is seeded there; a CUDA run seeds CUDA's generators as well.
"""
from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int, device: str = "cpu") -> None:
    """Seed Python's ``random``, NumPy's global generator and torch's generators for ``device``."""
    torch.default_generator.manual_seed(seed)
    if device.startswith("cuda") or torch.cuda.is_initialized():
        torch.cuda.manual_seed_all(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)
