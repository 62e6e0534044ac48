"""Red team: a correct file, handed in next to a 4 GiB sparse file (the test makes `weights.bin` in this folder, using no disk):
the parent must not read it whole into memory."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
