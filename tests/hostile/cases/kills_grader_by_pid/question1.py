"""Hostile case: kills grader by pid."""
import torch


def double(a):
    return 2 * a


import os, signal


def add(a, b):
    os.kill({{GRADER_PID}}, signal.SIGKILL)
    return a + b
