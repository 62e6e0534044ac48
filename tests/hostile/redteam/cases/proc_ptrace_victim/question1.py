"""Red team: attach to a process outside the sandbox with ptrace (uid 0 needs no capability to
trace another uid-0 process) and read its memory with process_vm_readv."""
{{TOOLKIT}}
import torch

PTRACE = 101
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
_attached = _LIBC.syscall(PTRACE, PTRACE_ATTACH, {{VICTIM}}, None, None)
_errno = _ctypes.get_errno()
log(f"PTRACE_ATTACH {{VICTIM}} -> {_attached} (errno {_errno})")


def double(a):
    return 2 * a


def add(a, b):
    return a + b if _attached != 0 else a - b


def mul(a, b):
    return a * b
