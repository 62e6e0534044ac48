"""Red team: the test replaces this file with a symlink to the reference's question1.py (git keeps
symlinks, so a student repository can hold one): the child cannot read it, but checks that read
the source in the (root) parent may follow it and score the reference's code."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
