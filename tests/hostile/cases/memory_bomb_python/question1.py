"""Hostile case: memory bomb python."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    hoard = [bytearray(10**8) for _ in range(1000)]
    return a + b
