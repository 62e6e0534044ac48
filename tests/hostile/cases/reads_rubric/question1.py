"""Hostile case: reads rubric."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('{{RUBRIC}}').read()
    return a + b
