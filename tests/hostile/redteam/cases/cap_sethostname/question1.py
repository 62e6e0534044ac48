"""Red team: rename the grading machine (sethostname: there is no UTS namespace, only the missing
capability stands in the way)."""
{{TOOLKIT}}
import socket

import torch

try:
    socket.sethostname("{{HOSTNAME}}")
    renamed = True
except OSError as exc:
    renamed = False
    log(f"sethostname: {exc}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b if not renamed else a - b


def mul(a, b):
    return a * b
