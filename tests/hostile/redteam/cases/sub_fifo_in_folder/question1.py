"""Red team: a correct file, handed in next to a FIFO (the test makes `data.fifo` in this folder):
a student folder from a shared file system or a git checkout may hold one."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
