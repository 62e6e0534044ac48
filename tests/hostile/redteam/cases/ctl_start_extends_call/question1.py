"""Red team: keep one call alive past its 3 s limit by sending `start <its probe>` every half
second; the call takes 25 s and then returns the right answer."""
{{TOOLKIT}}
import signal
import time

import torch


def double(a):
    return 2 * a


def add(a, b):
    me = current_probe_id()
    signal.signal(signal.SIGALRM, lambda *_: send(f"start {me}"))
    signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
    end = time.monotonic() + 25
    while time.monotonic() < end:
        time.sleep(0.2)
    signal.setitimer(signal.ITIMER_REAL, 0)
    log("the call ran 25 s")
    return a + b


def mul(a, b):
    return a * b
