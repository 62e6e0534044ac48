"""Red team: forge `init <pid>` during a call, after the import was reported."""
{{TOOLKIT}}
import torch


def double(a):
    return 2 * a


def add(a, b):
    log(f"init {{VICTIM}} sent on descriptors {send('init {{VICTIM}}')}")
    return a + b


def mul(a, b):
    return a * b
