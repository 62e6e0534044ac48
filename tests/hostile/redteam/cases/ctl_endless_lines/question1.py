"""Red team: during a call, flood the control channel with short lines the protocol accepts
(`imported`) or ignores, for as long as the parent listens."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    flood = b"imported\nnoise\n" * 4096
    fds = control_fds()
    while True:
        for fd in fds:
            try:
                os.write(fd, flood)
            except OSError:
                pass


def mul(a, b):
    return a * b
