"""Red team: a reply frame whose value is a list nested 150,000 deep (just under the frame's JSON
limit), written by hand since json.dumps refuses such depth."""
{{TOOLKIT}}
import os
import struct

import torch

DEPTH = 150_000


def double(a):
    return 2 * a


def add(a, b):
    data = ('{"probe_id": "%s", "status": "ok", "values": {"result": ' % current_probe_id()
            + '{"type": "list", "items": [' * DEPTH + "]}" * DEPTH + "}}").encode()
    written = []
    if harness_local("channel_fd", int) is not None:
        for fd in control_fds():
            os.write(fd, struct.pack("<cIQ", b"P", len(data), 0) + data)
            written.append(fd)
    log(f"sent a frame nested {DEPTH:,} deep on {written}")
    if written:
        os._exit(0)
    return a - b


def mul(a, b):
    return a * b
