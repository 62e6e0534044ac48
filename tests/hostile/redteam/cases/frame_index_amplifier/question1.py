"""Red team: one reply frame with a 200 MB blob and a tensor index of 40 entries that all name the
whole blob: each entry passes the range check, and a parent that copies each range holds 8 GB."""
{{TOOLKIT}}
import os

import torch

SIZE = 200 * 1024 * 1024


def double(a):
    return 2 * a


def add(a, b):
    index = [{"key": f"t{i}", "dtype": "uint8", "shape": [SIZE], "offset": 0, "nbytes": SIZE} for i in range(40)]
    payload = {"probe_id": current_probe_id(), "status": "ok", "tensor_index": index,
               "values": {"result": {"type": "tensor", "tensor": "t0"}}}
    sent = send_frame(b"P", payload, bytes(SIZE))
    log(f"sent a 200 MB frame indexed 40 times on {sent}")
    if sent:
        os._exit(0)
    return a - b


def mul(a, b):
    return a * b
