"""A student's file that tries every way out of the sandbox an ordinary user's child could take.

The test writes it as ``q.py`` after three lines that set ``PORT`` (TCP and UDP listeners on the host's loopback),
``OUTSIDE_PID`` (a process of the same user outside the sandbox) and ``OUTSIDE_DIR`` (a folder that user
may write). ``facts()`` returns what happened, as JSON text.
"""
import ctypes
import json
import os
import socket
import subprocess
import time

PORT, OUTSIDE_PID, OUTSIDE_DIR = 0, 0, "/nonexistent"  # replaced by the test's header

CLONE_NEWUSER, CLONE_NEWNS, SIGCHLD = 0x10000000, 0x00020000, 17
SYS_CLONE3, SYS_SETNS = 435, 308
DAEMON_SECONDS = "61.25"  # a daemon left running in its own session: the test looks for it afterwards
PR_CAPBSET_READ, CAP_SYS_ADMIN = 23, 21
libc = ctypes.CDLL(None, use_errno=True)


def _errno(result: int) -> str:
    return "ok" if result == 0 else os.strerror(ctypes.get_errno())


def _error(action) -> str:
    try:
        action()
    except OSError as exc:
        return os.strerror(exc.errno) if exc.errno else str(exc)
    return "ok"


def _connect() -> None:
    with socket.create_connection(("127.0.0.1", PORT), timeout=3):
        pass


def _send_udp() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"escaped", ("127.0.0.1", PORT))


def _effective_capabilities() -> int:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    if libc.capget(header, data) != 0:
        return -1
    return data[0] | data[3] << 32  # the low and high words of the effective set


def _fill(folder: str, size: int) -> tuple[int, str]:
    """Write ``size``-byte files into ``folder`` until the kernel refuses: (files written, why it stopped)."""
    count = 0
    try:
        while count < 100_000:
            with open(os.path.join(folder, f"f{count}"), "wb") as f:
                f.write(b"x" * size)
            count += 1
    except OSError as exc:
        return count, os.strerror(exc.errno)
    return count, "never refused"


def _forks_allowed() -> int:
    """How many sleeping children this process can start before fork fails."""
    children = []
    try:
        while len(children) < 40:
            pid = os.fork()
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            children.append(pid)
    except OSError:
        pass
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return len(children)


def _in_a_fork(action) -> str:
    """``action()`` (a short text) in a forked, single-threaded copy: user namespaces refuse threaded callers."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, action().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    return os.read(read, 200).decode()


def facts() -> str:
    work = os.getcwd()
    disk = os.statvfs(work)
    found = {
        "pid": os.getpid(), "ppid": os.getppid(), "uid": os.getuid(),
        "signal_outside": _error(lambda: os.kill(OUTSIDE_PID, 0)),
        "tcp": _error(_connect),
        "udp": _error(_send_udp),
        "interfaces": [name for _, name in socket.if_nameindex()],
        "capabilities": _effective_capabilities(),
        "bounding_sys_admin": libc.prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0),
        "disk_bytes": disk.f_blocks * disk.f_frsize,
        "write_outside": _error(lambda: open(os.path.join(OUTSIDE_DIR, "escaped"), "w").close()),
        "mount": _errno(libc.mount(b"x", work.encode(), b"tmpfs", 0, None)),
        "unshare_mount": _errno(libc.unshare(CLONE_NEWNS)),
        "unshare_user": _in_a_fork(lambda: _errno(libc.unshare(CLONE_NEWUSER))),
        "clone3": _errno(libc.syscall(SYS_CLONE3, 0, 0)),
        "setns": _errno(libc.syscall(SYS_SETNS, 0, 0)),
        "uid_map": _error(lambda: open("/proc/self/uid_map", "w").write("0 0 1")),
        "forks": _forks_allowed(),
        "daemon": subprocess.Popen(["sleep", DAEMON_SECONDS], start_new_session=True).pid,
    }
    if found["disk_bytes"] < 64 << 20:  # only ever fill a small tmpfs, never the real disk
        os.makedirs("big")
        found["big_files"] = _fill("big", 1 << 20)
        os.makedirs("small")
        found["small_files"] = _fill("small", 0)
    return json.dumps(found)
