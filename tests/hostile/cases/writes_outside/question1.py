"""Hostile case: writes outside."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('{{OUT}}/results/victim.json', 'w').write('{}')
    return a + b
