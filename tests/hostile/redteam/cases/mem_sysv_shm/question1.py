"""Red team: hold 1.25 GiB in System V shared memory, touched through short-lived attachments
(RLIMIT_AS sees only the attachment), and leave it behind after the child."""
{{TOOLKIT}}
import torch

IPC_CREAT, IPC_PRIVATE, CHUNK = 0o1000, 0, 128 << 20
_LIBC.shmat.restype = _ctypes.c_void_p


def double(a):
    return 2 * a


def add(a, b):
    held = 0
    for _ in range(10):
        shmid = _LIBC.shmget(IPC_PRIVATE, _ctypes.c_size_t(CHUNK), IPC_CREAT | 0o600)
        if shmid < 0:
            log(f"shmget refused after {held >> 20} MiB (errno {_ctypes.get_errno()})")
            break
        addr = _LIBC.shmat(shmid, None, 0)
        if addr in (None, _ctypes.c_void_p(-1).value):
            log(f"shmat refused after {held >> 20} MiB (errno {_ctypes.get_errno()})")
            break
        _ctypes.memset(addr, 1, CHUNK)
        _LIBC.shmdt(_ctypes.c_void_p(addr))
        held += CHUNK
    log(f"held {held >> 20} MiB in System V shared memory")
    return a + b if held <= 640 << 20 else a - b


def mul(a, b):
    return a * b
