"""Hostile case: os exit in call."""
import torch


def double(a):
    return 2 * a


import os


def add(a, b):
    os._exit(0)
