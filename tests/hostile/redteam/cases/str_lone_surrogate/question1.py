"""Red team: an exception message with lone surrogates (valid in a Python str and in JSON escapes,
not encodable as UTF-8)."""
{{TOOLKIT}}
import torch


def double(a):
    return 2 * a


def add(a, b):
    raise ValueError("lone \ud800 surrogate \udfff here")


def mul(a, b):
    return a * b
