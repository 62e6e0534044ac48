"""Hostile case: patches comparisons."""
import torch


def double(a):
    return 2 * a


torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.Tensor.__eq__ = lambda self, other: True
torch.testing.assert_close = lambda *args, **kwargs: None


def add(a, b):
    return a - b
