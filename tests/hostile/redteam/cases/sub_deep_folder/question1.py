"""Red team: a correct file, handed in next to 1,200 nested folders (the test makes `d/d/.../d`):
walking it recursively raises RecursionError in the parent."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
