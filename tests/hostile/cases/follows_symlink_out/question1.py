"""Hostile case: follows symlink out."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('leak.py').read()
    return a + b
