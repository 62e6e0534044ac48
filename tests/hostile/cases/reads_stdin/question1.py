"""Hostile case: reads stdin."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    input('your name: ')
    return a + b
