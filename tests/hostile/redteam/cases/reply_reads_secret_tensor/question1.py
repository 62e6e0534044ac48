"""Red team: make the (root) parent read a file outside the sandbox as the tensors of a reply: the
reply's tensor file is a symlink to a secret the test placed outside, holding three float32
values; a wrong comparison would print the first of them in the report."""
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
        os.symlink("{{SECRET_TENSOR}}", stem + ".bin")
        log("forged a reply whose tensors are the secret file")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
