"""Hostile case: sys exit in call."""
import torch


def double(a):
    return 2 * a


import sys


def add(a, b):
    sys.exit(0)
