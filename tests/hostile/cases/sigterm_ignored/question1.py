"""Hostile case: sigterm ignored."""
import torch


def double(a):
    return 2 * a


import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)


def add(a, b):
    while True:
        pass
