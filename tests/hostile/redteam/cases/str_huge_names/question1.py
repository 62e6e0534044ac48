"""Red team: 20 module globals whose names are 1 MB each, and an exception class whose name is 2 MB:
the reports must stay small."""
{{TOOLKIT}}
import torch

for _i in range(20):
    globals()["n" * 1_000_000 + str(_i)] = _i


def double(a):
    return 2 * a


def add(a, b):
    raise type("E" * 2_000_000, (Exception,), {})("a huge exception type")


def mul(a, b):
    return a * b
