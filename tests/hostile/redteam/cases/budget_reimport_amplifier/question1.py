"""Red team: use the retry-after-crash rule to spend far more than the file's budget. The import
takes 5 s (under its 6 s limit), and each call of `add` and `mul` runs 2.5 s (under its 3 s
limit) and then kills the child, so the file is imported again for every one of 7 probes:
about 60 s of work against a budget of 6 + 8 x 3 = 30 s."""
{{TOOLKIT}}
import os
import time

import torch

time.sleep(5)


def double(a):
    return 2 * a


def add(a, b):
    time.sleep(2.5)
    os._exit(3)


def mul(a, b):
    time.sleep(2.5)
    os._exit(3)
