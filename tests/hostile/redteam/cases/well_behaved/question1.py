"""A correct submission among the red-team cases: the baseline every other outcome is read against."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
