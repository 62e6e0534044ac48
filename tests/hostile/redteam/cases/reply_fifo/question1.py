"""Red team: the reply JSON is a FIFO nobody writes to; a parent that opens it blocks forever."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        os.mkfifo(os.path.join(folder, f"probe-{pid}.json"))
        log("the reply is a FIFO")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
