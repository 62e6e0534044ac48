"""Hostile case: clock patched."""
import torch


def double(a):
    return 2 * a


import time
time.time = lambda: 0.0
time.monotonic = lambda: 0.0
time.perf_counter = lambda: 0.0


def add(a, b):
    while True:
        pass
