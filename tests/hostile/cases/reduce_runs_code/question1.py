"""Hostile case: reduce runs code."""
import torch


def double(a):
    return 2 * a


class Payload:
    def __reduce__(self):
        return (open, ('{{MARKER}}', 'w'))


def add(a, b):
    return Payload()
