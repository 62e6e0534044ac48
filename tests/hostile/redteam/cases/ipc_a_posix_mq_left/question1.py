"""Red team: leave a POSIX message queue (/redteam-mq) with a secret message; mq_open takes a
name, not a path, so Landlock does not see it."""
{{TOOLKIT}}
import torch

O_RDWR, O_CREAT = 2, 0o100
_mqd = _LIBC.mq_open(b"/redteam-mq", O_RDWR | O_CREAT, 0o666, None)
if _mqd >= 0:
    _LIBC.mq_send(_mqd, b"IPC-MQ-SECRET", 13, 0)
log(f"mq_open -> {_mqd} (errno {_ctypes.get_errno()})")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
