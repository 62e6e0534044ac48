"""Reference of the red-team tests. REFERENCE-SOURCE-SECRET-5d1c0ffee"""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return torch.mul(a, b)
