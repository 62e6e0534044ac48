"""An unprivileged user namespace, so that a grader that is not root builds root's layers (as bubblewrap does).

The process that creates a user namespace holds every capability inside it, which is what mounting
the tmpfs and creating the network, IPC, mount and PID namespaces need; ``confine`` then drops them
all, as it does for root. The user's own uid and gid are mapped to themselves, not to 0: the child
keeps the identity it has outside (its files, ``getpwuid``, libraries that act differently for root
all see the real user), and no uid 0 exists inside that an ``execve`` could hand the namespace's
capabilities back to. Inside, the limit of nested user namespaces is set to 0 before any student code
runs, so that even with seccomp switched off the child cannot create another one to regain
capabilities; ``setgroups`` is denied (the kernel requires it for an unprivileged gid map).

``unshare(CLONE_NEWUSER)`` needs a single-threaded process: importing torch starts a thread, so a
spawned child enters the namespace before it imports anything heavy, and a fork server's child
(single-threaded after the fork) enters it while it waits for its request.
"""
from __future__ import annotations

import ctypes
import functools
import os
import signal
from pathlib import Path

from grader.sandbox.layers.kernel import libc

CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1
# The layers a user namespace provides to an ordinary user; with all of them switched off none is created.
NAMESPACE_LAYERS = ("tmpfs-quota", "network-namespace", "ipc-namespace", "pid-namespace", "no-capabilities")
SYSCTLS = (("/proc/sys/kernel/unprivileged_userns_clone", "kernel.unprivileged_userns_clone"),
           ("/proc/sys/user/max_user_namespaces", "user.max_user_namespaces"))
APPARMOR = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"


class _State:
    """What this process did: ``entered`` a namespace of its own, or ``failure`` says why it could not."""

    entered = False
    failure = ""


state = _State()


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def why_unavailable(errno: int) -> str:
    """Why ``unshare(CLONE_NEWUSER)`` failed with ``errno``, naming the sysctl that forbids it."""
    for path, name in SYSCTLS:
        try:
            value = Path(path).read_text().strip()
        except OSError:
            continue
        if value == "0":
            return f"unprivileged user namespaces are disabled on this machine (sysctl {name} = 0)"
    if errno == 28:  # ENOSPC
        return "this user already has as many user namespaces as the kernel allows (sysctl user.max_user_namespaces)"
    if errno == 22:  # EINVAL: threads were running, or the kernel was built without user namespaces
        return "a user namespace could not be created here (the process already ran threads, or the kernel lacks them)"
    return f"creating a user namespace failed: {os.strerror(errno)}"


def enter(extra_flags: int = 0) -> bool:
    """Move this process into a new user namespace (and the namespaces of ``extra_flags``, owned by it).

    Returns whether it did; where it cannot, ``state.failure`` says why and the process is unchanged.
    """
    if state.entered:
        return True
    if state.failure:
        return False
    uid, gid = os.geteuid(), os.getegid()
    if libc().unshare(CLONE_NEWUSER | extra_flags) != 0:
        state.failure = why_unavailable(ctypes.get_errno())
        return False
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1\n")
        _write("/proc/self/gid_map", f"{gid} {gid} 1\n")
    except OSError as exc:
        state.failure = f"the user namespace's uid and gid maps could not be written ({exc.strerror})"
        return False
    try:
        _write("/proc/sys/user/max_user_namespaces", "0")
    except OSError:
        pass  # an older kernel without per-namespace limits: seccomp still refuses new namespaces
    state.entered = True
    return True


def restricted_by_apparmor() -> bool:
    """Whether AppArmor takes the capabilities of an unprivileged user namespace away (Ubuntu 23.10+)."""
    try:
        return Path(APPARMOR).read_text().strip() == "1"
    except OSError:
        return False


def become_init() -> None:
    """Fork into the PID namespace made for this process's children: the child returns as its PID 1,
    and this process waits, holding no descriptor, and ends as the child ended."""
    alive_r, alive_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_w)
        libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        os.set_blocking(alive_r, False)
        try:
            parent_gone = os.read(alive_r, 1) == b""  # the write end closes only when the parent ends
        except BlockingIOError:
            parent_gone = False
        os.close(alive_r)
        if parent_gone:
            os._exit(0)
        return
    os.closerange(3, alive_w)
    os.closerange(alive_w + 1, 65536)
    mirror(pid)


def mirror(pid: int) -> None:
    """Wait for ``pid`` and end this process the same way: its exit status, or killed by its signal."""
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 70)


def wanted(disable: list[str]) -> bool:
    """Whether an ordinary user's child needs a user namespace: some layer it provides is switched on."""
    return os.geteuid() != 0 and any(layer not in disable for layer in NAMESPACE_LAYERS)


def enter_if_wanted(disable: list[str]) -> None:
    """For a spawned child, before it imports torch (which starts a thread): enter a user namespace
    if this ordinary user's child needs one; ``confine`` reports the outcome."""
    if wanted(disable):
        enter()


@functools.lru_cache(maxsize=1)
def nproc_counts_only_the_namespace() -> bool:
    """Whether RLIMIT_NPROC, set inside a user namespace, counts only that namespace's processes.

    Since Linux 5.14 the kernel counts a uid's processes per user namespace; before, every process
    of the real uid counted, so the user's other programs could make a child's fork fail.
    """
    try:
        major, minor = (int(part) for part in os.uname().release.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (5, 14)
