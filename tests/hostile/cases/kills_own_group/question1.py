"""Hostile case: kills own group."""
import torch


def double(a):
    return 2 * a


import os, signal


def add(a, b):
    os.killpg(0, signal.SIGKILL)
    return a + b
