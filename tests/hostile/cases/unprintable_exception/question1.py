"""Hostile case: unprintable exception."""
import torch


def double(a):
    return 2 * a


class Sneaky(Exception):
    def __str__(self):
        raise RuntimeError('no message for you')


def add(a, b):
    raise Sneaky()
