"""Red team: look, for up to 5 s, for the IPC objects and keys the ipc_a_* students left, and
read their secrets; `add` raises with what was found."""
{{TOOLKIT}}
import time

import torch

IPC_NOWAIT, MSG_NOERROR, GETVAL, O_RDONLY = 0o4000, 0o10000, 12, 0
KEYCTL, KEYCTL_SEARCH, KEYCTL_READ = 250, 10, 11
_LIBC.shmat.restype = _ctypes.c_void_p
found = {}


def _look():
    shmid = _LIBC.shmget(0x5EED0001, 0, 0)
    if shmid >= 0 and "shm" not in found:
        addr = _LIBC.shmat(shmid, None, 0o10000)  # SHM_RDONLY
        if addr not in (None, _ctypes.c_void_p(-1).value):
            found["shm"] = _ctypes.string_at(addr, 14).decode(errors="replace")
            _LIBC.shmdt(_ctypes.c_void_p(addr))
    msqid = _LIBC.msgget(0x5EED0002, 0)
    if msqid >= 0 and "msg" not in found:
        buf = _ctypes.create_string_buffer(64)
        n = _LIBC.msgrcv(msqid, buf, 40, 0, IPC_NOWAIT | MSG_NOERROR)
        found["msg"] = buf.raw[_ctypes.sizeof(_ctypes.c_long):_ctypes.sizeof(_ctypes.c_long) + max(n, 0)].decode(
            errors="replace") or f"queue {msqid}"
    semid = _LIBC.semget(0x5EED0003, 0, 0)
    if semid >= 0 and "sem" not in found:
        found["sem"] = f"value {_LIBC.semctl(semid, 0, GETVAL)}"
    mqd = _LIBC.mq_open(b"/redteam-mq", O_RDONLY, 0, None)
    if mqd >= 0 and "mq" not in found:
        found["mq"] = "queue open"
    for ring in (-4, -3):
        serial = _LIBC.syscall(KEYCTL, KEYCTL_SEARCH, ring, b"user", b"{{KEY_DESCRIPTION}}", 0)
        if serial > 0 and "key" not in found:
            buf = _ctypes.create_string_buffer(64)
            _LIBC.syscall(KEYCTL, KEYCTL_READ, serial, buf, 64)
            found["key"] = buf.value.decode(errors="replace")


_end = time.monotonic() + 5
while time.monotonic() < _end and len(found) < 5:
    _look()
    time.sleep(0.25)
log(f"found {found}")


def double(a):
    return 2 * a


def add(a, b):
    if found:
        raise RuntimeError(f"another student's IPC objects were readable: {found}")
    return a + b


def mul(a, b):
    return a * b
