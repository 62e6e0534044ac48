"""Red team: a 240 MB reply of valid JSON, a list of 120 million zeros: about 1 GB of Python list
in a parent that reads it whole."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        with open(os.path.join(folder, f"probe-{pid}.json"), "wb") as f:
            f.write(b'{"probe_id": "%s", "status": "ok", "junk": [0' % pid.encode())
            chunk = b",0" * (1 << 20)
            for _ in range(120):
                f.write(chunk)
            f.write(b"]}")
        log("wrote a 240 MB reply")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
