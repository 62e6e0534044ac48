"""Hostile case: memory bomb torch."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    big = torch.ones(10**11)
    return a + b + big[0]
