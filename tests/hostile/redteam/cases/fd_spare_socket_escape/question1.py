"""Red team: find an inherited fork-server socket (the spare child's) and ask the spare to run a
payload with every sandbox layer switched off; the payload writes a marker file outside the
sandbox. The request and payload go in the reply folder, which lies outside the child's private
mount namespace, so the spare sees them."""
{{TOOLKIT}}
import json
import os
import socket
import stat

import torch

LAYERS = ["tmpfs-quota", "network-namespace", "pid-namespace", "pids-cgroup", "rlimits", "no-capabilities",
          "landlock", "ipc-namespace", "memory-cgroup"]
tried = []
_base = reply_dir()
if _base:
    _work = os.path.join(_base, "payload")
    os.makedirs(_work, exist_ok=True)
    with open(os.path.join(_work, "question1.py"), "w") as _f:
        _f.write("open('{{MARKER}}', 'w').write('the spare ran a payload unconfined')\n")
    _request = {"module_file": "question1.py", "workdir": _work, "reply_dir": _work, "probes": [],
                "sandbox": {"disable": LAYERS}}
    _request_file = os.path.join(_base, "payload-request.json")
    with open(_request_file, "w") as _f:
        json.dump(_request, _f)
    for _fd in range(3, 1024):
        try:
            if not stat.S_ISSOCK(os.fstat(_fd).st_mode):
                continue
            _sock = socket.socket(fileno=os.dup(_fd))
        except OSError:
            continue
        try:
            _r, _w = os.pipe()
            socket.send_fds(_sock, [json.dumps({"request": _request_file}).encode()], [_w, _w])
            tried.append(f"{_fd}: sent")
        except OSError as exc:
            tried.append(f"{_fd}: {exc}")
log(f"spare sockets tried: {tried}")


def double(a):
    return 2 * a


def add(a, b):
    import time

    time.sleep(1.0)  # give a spare time to run the payload
    return a + b


def mul(a, b):
    return a * b
