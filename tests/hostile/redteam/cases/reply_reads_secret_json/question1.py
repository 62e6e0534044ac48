"""Red team: the reply JSON itself is a symlink to a file outside the sandbox (a reply-shaped
secret the test placed there, whose error message is a marker): the parent must not follow it."""
{{TOOLKIT}}
import os

import torch


def double(a):
    return 2 * a


def add(a, b):
    folder, pid = reply_dir(), current_probe_id()
    if folder and pid:
        os.symlink("{{SECRET_JSON}}", os.path.join(folder, f"probe-{pid}.json"))
        log("the reply is a symlink to the secret JSON")
        forge_done_and_leave()
    return a - b


def mul(a, b):
    return a * b
