"""Hostile case: disk fill."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    with open('filler.bin', 'wb') as f:
        while True:
            f.write(b'0' * 2**20)
