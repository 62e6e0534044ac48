"""Landlock (Linux >= 5.13) through raw system calls: filesystem, TCP and signal confinement.

Only what this grader needs: read-only trees, read-write trees, no TCP bind/connect (ABI 4+),
and no signals or abstract sockets outside the domain (ABI 6+).
"""
from __future__ import annotations

import ctypes
import os
import platform
import stat
import struct
from dataclasses import dataclass

from grader.sandbox.layers.kernel import libc

_SYSCALLS = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ_ONLY = EXECUTE | READ_FILE | READ_DIR


class LandlockError(OSError):
    """Landlock is unavailable or refused a rule."""


def _numbers() -> tuple[int, int, int]:
    machine = platform.machine()
    if machine not in _SYSCALLS:
        raise LandlockError(f"Landlock system call numbers unknown for {machine}")
    return _SYSCALLS[machine]


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is absent."""
    try:
        create, _, _ = _numbers()
    except LandlockError:
        return 0
    version = libc().syscall(create, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(0, int(version))


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


@dataclass
class Ruleset:
    """A ruleset being built (its file descriptor) and what it handles; ``close`` it unless ``enforce`` does."""

    fd: int
    abi: int
    handled_fs: int
    handled_net: int
    scoped: int

    def close(self) -> None:
        """Close the ruleset's descriptor (once)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def prepare(read_only: list[str], *, block_tcp: bool = True, scope: bool = True) -> Ruleset:
    """A ruleset with ``read_only`` trees allowed, not yet enforced: rules may still be added (``enforce``)."""
    abi = abi_version()
    if abi < 1:
        raise LandlockError("Landlock is not available on this kernel")
    create, add_rule, _ = _numbers()
    handled_fs = _fs_rights(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if (block_tcp and abi >= 4) else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if (scope and abi >= 6) else 0
    if abi >= 6:
        attr = struct.pack("QQQ", handled_fs, handled_net, scoped)
    elif abi >= 4:
        attr = struct.pack("QQ", handled_fs, handled_net)
    else:
        attr = struct.pack("Q", handled_fs)
    buf = ctypes.create_string_buffer(attr, len(attr))
    fd = libc().syscall(create, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if fd < 0:
        raise LandlockError(ctypes.get_errno(), "landlock_create_ruleset failed")
    ruleset = Ruleset(fd, abi, handled_fs, handled_net, scoped)
    try:
        for path in read_only:
            _allow(add_rule, ruleset, path, READ_ONLY)
    except BaseException:
        ruleset.close()
        raise
    return ruleset


def enforce(ruleset: Ruleset, read_only: list[str], read_write: list[str]) -> list[str]:
    """Add ``read_only`` and ``read_write`` trees to ``ruleset`` and confine this process (and its future children)
    with it; the ruleset is closed. Returns the names of what was enforced."""
    _, add_rule, restrict_self = _numbers()
    c = libc()
    try:
        for paths, rights in ((read_only, READ_ONLY), (read_write, ruleset.handled_fs)):
            for path in paths:
                _allow(add_rule, ruleset, path, rights)
        if c.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise LandlockError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
        if c.syscall(restrict_self, ctypes.c_int(ruleset.fd), ctypes.c_uint32(0)) != 0:
            raise LandlockError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        ruleset.close()
    enforced = [f"landlock-fs (ABI {ruleset.abi})"]
    if ruleset.handled_net:
        enforced.append("landlock-tcp")
    if ruleset.scoped:
        enforced.append("landlock-signal-scope")
    return enforced


def restrict(read_only: list[str], read_write: list[str], *, block_tcp: bool = True, scope: bool = True) -> list[str]:
    """Confine this process (and its future children); returns the names of what was enforced."""
    return enforce(prepare(read_only, block_tcp=block_tcp, scope=scope), [], read_write)


def _allow(add_rule: int, ruleset: Ruleset, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        rights &= ruleset.handled_fs
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= WRITE_FILE | READ_FILE | EXECUTE | TRUNCATE | IOCTL_DEV
        attr = struct.pack("=Qi", rights, fd)
        buf = ctypes.create_string_buffer(attr, len(attr))
        if libc().syscall(add_rule, ctypes.c_int(ruleset.fd), ctypes.c_int(_RULE_PATH_BENEATH), buf,
                           ctypes.c_uint32(0)) != 0:
            raise LandlockError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
