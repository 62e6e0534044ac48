"""Hostile case: c stack overflow."""
import sys

import torch

sys.setrecursionlimit(10**8)


def double(a):
    return 2 * a


def add(a, b):
    # comparing two lists nested 200,000 deep recurses in C until the stack runs out (repr would too, but its
    # check for cycles costs as much again at every level: 1.2-3 s before the crash, against a 3 s limit)
    left, right = [], []
    for _ in range(2 * 10**5):
        left, right = [left], [right]
    return left == right
