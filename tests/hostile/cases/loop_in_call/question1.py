"""Hostile case: loop in call."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    while True:
        pass
