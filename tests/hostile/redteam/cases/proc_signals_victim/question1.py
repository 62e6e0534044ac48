"""Red team: stop, then kill, a process outside the sandbox by its pid (a victim the test started),
and kill its process group."""
{{TOOLKIT}}
import os
import signal

import torch

_outcomes = []
for _what, _call in (("SIGSTOP", lambda: os.kill({{VICTIM}}, signal.SIGSTOP)),
                     ("SIGKILL", lambda: os.kill({{VICTIM}}, signal.SIGKILL)),
                     ("killpg", lambda: os.killpg({{VICTIM}}, signal.SIGKILL))):
    try:
        _call()
        _outcomes.append(f"{_what}: delivered")
    except OSError as exc:
        _outcomes.append(f"{_what}: {exc.strerror}")
log(f"signals to {{VICTIM}}: {_outcomes}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
