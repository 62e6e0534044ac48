"""Red team: at import, forge the `init <pid>` message that names the PID-namespace init, so that
the parent SIGKILLs a process of the attacker's choice (here a victim the test started)."""
{{TOOLKIT}}
import torch

log(f"init {{VICTIM}} sent on descriptors {send('init {{VICTIM}}')}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
