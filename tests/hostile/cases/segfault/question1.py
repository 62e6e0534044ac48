"""Hostile case: segfault."""
import torch


def double(a):
    return 2 * a


import ctypes


def add(a, b):
    return ctypes.string_at(0)
