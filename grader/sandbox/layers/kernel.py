"""The C library for the system calls the layers make that Python 3.11's ``os`` lacks: ``unshare``, ``setns``,
``mount``, ``prctl``, ``capset`` and raw ``syscall`` (Landlock)."""
from __future__ import annotations

import ctypes
import functools
import os

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC = 0x00020000, 0x20000000, 0x40000000, 0x08000000
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY = 0x4000, 0x40000, 0x2, 0x4, 0x8, 0x1


@functools.lru_cache(maxsize=1)
def libc() -> ctypes.CDLL:
    """The C library, with ``errno`` kept for each call (``syscall`` returns a long)."""
    library = ctypes.CDLL(None, use_errno=True)
    library.syscall.restype = ctypes.c_long
    return library


def unshare(flags: int) -> None:
    """``unshare(2)``: move this process into new namespaces."""
    if libc().unshare(flags) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def set_namespace(fd: int, nstype: int) -> None:
    """``setns(2)``: join the namespace ``fd`` refers to."""
    if libc().setns(fd, nstype) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    """``mount(2)``; the error names the target."""
    result = libc().mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                          ctypes.c_ulong(flags), data.encode() if data else None)
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def make_mounts_private() -> None:
    """A mount namespace of this process's own, every mount in it private (nothing propagates either way)."""
    unshare(CLONE_NEWNS)
    mount("none", "/", None, MS_REC | MS_PRIVATE, None)
