"""Red team: make the harness's clock return NaN, so every duration it reports is NaN (and JSON
has no NaN); the stored result must still load."""
{{TOOLKIT}}
import time

import torch

time.perf_counter = lambda: float("nan")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
