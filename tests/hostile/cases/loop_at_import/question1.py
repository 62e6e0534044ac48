"""Hostile case: loop at import."""
import torch


def double(a):
    return 2 * a


while True:
    pass

def add(a, b):
    return a + b
