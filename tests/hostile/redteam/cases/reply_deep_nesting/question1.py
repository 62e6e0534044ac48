"""Red team: a reply whose value is a list nested 100,000 deep (decoders that recurse may crash
the parent's C stack)."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        depth = 100_000
        text = ('{"probe_id": "%s", "status": "ok", "values": {"result": ' % pid
                + '{"type": "list", "items": [' * depth + "]}" * depth + "}}")
        with open(os.path.join(folder, f"probe-{pid}.json"), "w") as f:
            f.write(text)
        log("forged a reply nested 100,000 deep")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
