"""Hostile case: reads other student."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    open('{{SUBMISSIONS}}/well_behaved/question1.py').read()
    return a + b
