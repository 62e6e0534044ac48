"""Red team: a tensor index whose 40 entries all name the same 200 MB byte range of a sparse
tensor file (no disk used): each entry passes the range check, and a parent that copies each
range holds 8 GB."""
{{TOOLKIT}}
import json
import os

import torch

SIZE = 200 * 1024 * 1024


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        stem = os.path.join(folder, f"probe-{pid}")
        with open(stem + ".bin", "wb") as f:
            f.truncate(SIZE)
        index = [{"key": f"t{i}", "dtype": "uint8", "shape": [SIZE], "offset": 0, "nbytes": SIZE} for i in range(40)]
        payload = {"probe_id": pid, "status": "ok", "values": {"result": {"type": "tensor", "tensor": "t0"}},
                   "tensor_index": index}
        with open(stem + ".json", "w") as f:
            json.dump(payload, f)
        log("forged an index of 40 x 200 MB")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
