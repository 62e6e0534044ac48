"""Hostile case: sys exit at import."""
import torch


def double(a):
    return 2 * a


import sys
sys.exit(0)

def add(a, b):
    return a + b
