"""Red team: leave a key holding a secret in the user keyring and in the session keyring (both
shared by every process of the uid, whatever the IPC or PID namespace)."""
{{TOOLKIT}}
import torch

ADD_KEY, KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING = 248, -3, -4
_found = []
for _ring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING):
    _serial = _LIBC.syscall(ADD_KEY, b"user", b"{{KEY_DESCRIPTION}}", b"KEY-SECRET", 10, _ring)
    _found.append((_ring, _serial, _ctypes.get_errno()))
log(f"add_key -> {_found}")


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
