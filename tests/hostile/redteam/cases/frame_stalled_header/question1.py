"""Red team: announce a 100 MB reply in a frame header, send none of it, and keep the channel open."""
{{TOOLKIT}}
import os
import struct
import time

import torch


def double(a):
    return 2 * a


def add(a, b):
    for fd in control_fds():
        os.write(fd, struct.pack("<cIQ", b"P", 2, 100 << 20) + b"{}")
    log("announced 100 MB and stalled")
    while True:
        time.sleep(1)


def mul(a, b):
    return a * b
