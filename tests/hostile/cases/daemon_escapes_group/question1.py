"""Hostile case: daemon escapes group."""
import torch


def double(a):
    return 2 * a


import os, time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(1)
    os._exit(0)

def add(a, b):
    return a + b
