"""Red team: a detached daemon keeps draining the read end of every inherited pipe (the fork
server's wake-up pipe among them), so the fork server never hears that a child ended; then
`add` crashes the child, whose exit status the parent must wait for."""
{{TOOLKIT}}
import os
import time

import torch

_readers = []
for _fd in range(3, 1024):
    try:
        if _fcntl.fcntl(_fd, _fcntl.F_GETFL) & _os.O_ACCMODE == _os.O_RDONLY and _stat.S_ISFIFO(os.fstat(_fd).st_mode):
            _readers.append(_fd)
    except OSError:
        pass
log(f"pipes to drain: {_readers}")
if _readers and os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _fd in _readers:
            flags = _fcntl.fcntl(_fd, _fcntl.F_GETFL)
            _fcntl.fcntl(_fd, _fcntl.F_SETFL, flags | os.O_NONBLOCK)
        while True:
            for _fd in _readers:
                try:
                    os.read(_fd, 4096)
                except OSError:
                    pass
            time.sleep(0.001)
    os._exit(0)


def double(a):
    return 2 * a


def add(a, b):
    time.sleep(0.5)
    os._exit(3)


def mul(a, b):
    return a * b
