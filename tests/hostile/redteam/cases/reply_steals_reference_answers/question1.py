"""Red team: `add` is wrong (a - b), but the probe's reply is forged so that the parent reads the
result tensor from the reference's cached observations: a symlink from the reply's tensor file
to the reference cache, and an index naming its first tensor (the reference's `add` result)."""
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
        os.symlink("{{REFERENCE_CACHE_BIN}}", stem + ".bin")
        log(f"forged {stem}.json with its tensors linked to the reference cache")
        forge_done_and_leave()
    log("no reply folder to forge: returning the wrong answer")
    return a - b


def mul(a, b):
    return a * b
