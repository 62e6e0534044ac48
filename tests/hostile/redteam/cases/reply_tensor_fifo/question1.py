"""Red team: a well-formed reply JSON whose tensor file is a FIFO nobody writes to."""
{{TOOLKIT}}
import json
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        stem = os.path.join(folder, f"probe-{pid}")
        payload = {"probe_id": pid, "status": "ok", "values": {"result": {"type": "tensor", "tensor": "t0"}},
                   "tensor_index": [{"key": "t0", "dtype": "float32", "shape": [3], "offset": 0, "nbytes": 12}]}
        with open(stem + ".json", "w") as f:
            json.dump(payload, f)
        os.mkfifo(stem + ".bin")
        log("the reply's tensor file is a FIFO")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
