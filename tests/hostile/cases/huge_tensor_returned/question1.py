"""Hostile case: huge tensor returned."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return torch.zeros(1).expand(10**9)
