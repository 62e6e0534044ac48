"""Hostile case: os exit at import."""
import torch


def double(a):
    return 2 * a


import os
os._exit(0)

def add(a, b):
    return a + b
