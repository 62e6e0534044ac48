"""A correct submission among the hostile ones."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b
