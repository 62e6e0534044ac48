"""Hostile case: reads grader cmdline."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('/proc/{{GRADER_PID}}/cmdline').read()
    return a + b
