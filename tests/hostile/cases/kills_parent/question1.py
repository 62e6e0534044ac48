"""Hostile case: kills parent."""
import torch


def double(a):
    return 2 * a


import os, signal


def add(a, b):
    os.kill(os.getppid(), signal.SIGKILL)
    return a + b
