"""Hostile case: reads grader environ."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('/proc/{{GRADER_PID}}/environ').read()
    return a + b
