"""Red team: HTML and script in what the file prints and in an exception message."""
{{TOOLKIT}}
import torch

print('<script>alert("printed")</script><img src=x onerror=alert(1)>')


def double(a):
    return 2 * a


def add(a, b):
    raise ValueError('<script>alert("raised")</script>')


def mul(a, b):
    return a * b
