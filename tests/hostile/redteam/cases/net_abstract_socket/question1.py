"""Red team: connect to an abstract Unix socket a process outside the sandbox listens on."""
{{TOOLKIT}}
import socket

import torch

try:
    _s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _s.settimeout(2)
    _s.connect("\0{{ABSTRACT}}")
    _s.sendall(b"abstract socket reached")
    connected = True
except OSError as exc:
    connected = False
    log(f"abstract connect: {exc}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b if not connected else a - b


def mul(a, b):
    return a * b
