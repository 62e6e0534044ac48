"""Red team: hold 1.25 GiB in memfd files (RLIMIT_AS counts mappings, not file pages): the rubric
allows 512 MB. `add` answers right only when the memory was refused."""
{{TOOLKIT}}
import os

import torch

GOAL, CHUNK = 1280 << 20, 128 << 20


def double(a):
    return 2 * a


def add(a, b):
    held, fds = 0, []
    while held < GOAL:
        try:
            fd = os.memfd_create("ballast")
            fds.append(fd)
            os.posix_fallocate(fd, 0, CHUNK)
            held += CHUNK
        except (OSError, MemoryError) as exc:
            log(f"refused after {held >> 20} MiB: {exc}")
            break
    log(f"held {held >> 20} MiB in memfd")
    return a + b if held <= 640 << 20 else a - b


def mul(a, b):
    return a * b
