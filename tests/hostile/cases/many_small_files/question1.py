"""Hostile case: many small files."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    for i in range(100_000):
        open(f'f{i}.txt', 'w').close()
    return a + b
