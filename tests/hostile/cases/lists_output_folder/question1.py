"""Hostile case: lists output folder."""
import torch


def double(a):
    return 2 * a


import os


def add(a, b):
    os.listdir('{{OUT}}')
    return a + b
