"""Red team: a double-forked daemon in its own session that ignores SIGTERM and SIGHUP; it must
not outlive the child."""
{{TOOLKIT}}
import os
import signal
import time

import torch

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        while True:
            time.sleep(1)
    os._exit(0)
time.sleep(0.2)


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
