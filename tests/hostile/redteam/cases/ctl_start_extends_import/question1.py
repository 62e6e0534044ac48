"""Red team: keep the import alive past its 6 s limit by sending `start <probe>` every half second
(each one used to push the parent's deadline forward); the import takes 25 s, then behaves."""
{{TOOLKIT}}
import signal
import time

import torch

_ids = probe_ids()


def _push(*_):
    for _pid in _ids[:1]:
        send(f"start {_pid}")


signal.signal(signal.SIGALRM, _push)
signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
log(f"pushing the deadline with `start {_ids[:1]}` on {control_fds()}")
_end = time.monotonic() + 25
while time.monotonic() < _end:
    time.sleep(0.2)
signal.setitimer(signal.ITIMER_REAL, 0)
log("the import ran 25 s")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
