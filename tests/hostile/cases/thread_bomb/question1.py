"""Hostile case: thread bomb."""
import torch


def double(a):
    return 2 * a


import threading, time


def add(a, b):
    for _ in range(100_000):
        threading.Thread(target=time.sleep, args=(100,), daemon=True).start()
    return a + b
