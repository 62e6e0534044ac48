"""Hostile case: reads environment."""
import torch


def double(a):
    return 2 * a


import os


def add(a, b):
    return a + b + (1000 if 'GRADER_TEST_SECRET' in os.environ else 0)
