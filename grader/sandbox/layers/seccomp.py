"""A seccomp filter for what no other layer covers: kernel keyrings (shared by every process of a
uid, so a key left by one student outlives the batch), new namespaces (a user namespace would
hand the child capabilities again), tracing other processes, and io_uring, bpf, perf and module
or kexec calls, and the host's name, clock, swap and reboot. Denied calls fail with EPERM
(``clone3`` with ENOSYS, so the C library falls back to ``clone``, whose namespace flags are
then checked).

The filter is classic BPF written by hand: a dozen instructions, no library needed.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import platform
import struct

from grader.sandbox.layers.kernel import libc

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LD_W_ABS, JEQ_K, JGE_K, JSET_K, RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
NAMESPACE_FLAGS = 0x7E020080  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET | NEWTIME
X32_BIT = 0x40000000

_ARCH = {
    "x86_64": (0xC000003E, {"clone": 56, "clone3": 435}, {
        "add_key": 248, "request_key": 249, "keyctl": 250, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "perf_event_open": 298, "bpf": 321, "userfaultfd": 323, "unshare": 272,
        "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "open_by_handle_at": 304,
        "kexec_load": 246, "kexec_file_load": 320, "init_module": 175, "finit_module": 313,
        "delete_module": 176, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "sethostname": 170, "setdomainname": 171, "settimeofday": 164, "clock_settime": 227, "clock_adjtime": 305,
        "adjtimex": 159, "reboot": 169, "iopl": 172, "ioperm": 173, "swapon": 167, "swapoff": 168, "acct": 163,
        "quotactl": 179}),
    "aarch64": (0xC00000B7, {"clone": 220, "clone3": 435}, {
        "add_key": 217, "request_key": 218, "keyctl": 219, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "perf_event_open": 241, "bpf": 280, "userfaultfd": 282, "unshare": 97,
        "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "open_by_handle_at": 265,
        "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
        "delete_module": 106, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "sethostname": 161, "setdomainname": 162, "settimeofday": 170, "clock_settime": 112, "clock_adjtime": 266,
        "adjtimex": 171, "reboot": 142, "swapon": 224, "swapoff": 225, "acct": 89, "quotactl": 60}),
}


def _op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


@functools.lru_cache(maxsize=1)
def program() -> bytes:
    """The filter for this machine's architecture (raises OSError where it is unknown)."""
    machine = platform.machine()
    if machine not in _ARCH:
        raise OSError(f"no seccomp filter for {machine}")
    arch, clones, denied = _ARCH[machine]
    numbers = sorted(denied.values())
    # Layout: arch check, x32 check, one JEQ per denied call, clone3, clone's flags, allow, EPERM, ENOSYS.
    body = [_op(LD_W_ABS, 4)]
    n_tail = len(numbers) + 6  # instructions after the x32 check up to and including ENOSYS
    body.append(_op(JEQ_K, arch, 0, n_tail + 1))  # wrong architecture: EPERM (counted from the next op)
    body.append(_op(LD_W_ABS, 0))
    body.append(_op(JGE_K, X32_BIT, n_tail - 1, 0) if machine == "x86_64" else _op(JEQ_K, 0xFFFFFFFF, n_tail - 1, 0))
    for i, number in enumerate(numbers):
        to_eperm = len(numbers) - i + 4  # skip the rest, clone3, clone, flags load, flags test, allow
        body.append(_op(JEQ_K, number, to_eperm, 0))
    body.append(_op(JEQ_K, clones["clone3"], 5, 0))  # -> ENOSYS
    body.append(_op(JEQ_K, clones["clone"], 0, 2))  # not clone -> allow
    body.append(_op(LD_W_ABS, 16))  # low word of the first argument: clone's flags
    body.append(_op(JSET_K, NAMESPACE_FLAGS, 1, 0))  # namespace flags -> EPERM
    body.append(_op(RET_K, RET_ALLOW))
    body.append(_op(RET_K, RET_ERRNO | errno.EPERM))
    body.append(_op(RET_K, RET_ERRNO | errno.ENOSYS))
    return b"".join(body)


def restrict() -> list[str]:
    """Install the filter on this process and its future children."""
    code = program()
    c = libc()
    if c.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    filters = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("@HP", len(code) // 8, ctypes.addressof(filters))
    buf = ctypes.create_string_buffer(fprog, len(fprog))
    if c.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, buf, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP) failed")
    return ["seccomp"]
