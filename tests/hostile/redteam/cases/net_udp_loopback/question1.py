"""Red team: send UDP datagrams to a socket on the grader machine's loopback (Landlock does not
cover UDP)."""
{{TOOLKIT}}
import socket

import torch

sent = 0
try:
    _s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(3):
        sent += _s.sendto(b"udp reached", ("127.0.0.1", {{UDP_PORT}})) > 0
except OSError as exc:
    log(f"udp sendto: {exc}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
