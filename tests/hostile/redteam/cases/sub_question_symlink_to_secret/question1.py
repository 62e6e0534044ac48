"""Red team: the test replaces this file with a symlink to a Python file outside the sandbox that
has an IPython `!` line (so the grader converts it) and a correct `add`: a parent that reads
through the link stages the outside file's content where the child runs it, and the student
scores with code they never wrote or could read."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a - b


def mul(a, b):
    return a * b
