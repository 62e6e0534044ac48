"""Hostile case: reads reference."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('{{REFERENCE}}/question1.py').read()
    return a + b
