"""Hostile case: stdout flood."""
import torch


def double(a):
    return 2 * a


import sys

sys.stdout.write('spam\n' * 10**7)
sys.stderr.write('eggs\n' * 10**7)


def add(a, b):
    print('ham\n' * 10**7)
    return a + b
