"""Hostile case: c stack overflow."""
import sys

import torch

sys.setrecursionlimit(10**8)


def double(a):
    return 2 * a


def add(a, b):
    nested = []
    for _ in range(2 * 10**5):
        nested = [nested]
    return repr(nested)
