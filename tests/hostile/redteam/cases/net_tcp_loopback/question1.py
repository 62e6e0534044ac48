"""Red team: connect to a TCP listener on the grader machine's loopback."""
{{TOOLKIT}}
import socket

import torch

try:
    _s = socket.create_connection(("127.0.0.1", {{PORT}}), timeout=2)
    _s.sendall(b"tcp reached")
    connected = True
except OSError as exc:
    connected = False
    log(f"tcp connect: {exc}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b if not connected else a - b


def mul(a, b):
    return a * b
