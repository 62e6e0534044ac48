"""Red team: during a call, write 1 GiB without a newline on the control channel: a parent that
buffers until the end of the line holds it all (and copies it at every read)."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    chunk = b"x" * (1 << 20)
    fds = control_fds()
    written = 0
    for _ in range(1024):
        for fd in fds:
            try:
                written += os.write(fd, chunk)
            except OSError:
                pass
    log(f"wrote {written >> 20} MiB without a newline")
    return a + b


def mul(a, b):
    return a * b
