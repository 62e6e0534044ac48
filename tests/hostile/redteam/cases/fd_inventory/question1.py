"""Red team: list every descriptor the child was born with. Only the harness's own channels may be
there; a socket, the read end of a pipe, both ends of one pipe, a namespace handle or a directory
belongs to the pool, the zygote or another child. `add` raises with what it found."""
{{TOOLKIT}}
import stat

import torch

NSFS_MAGIC = 0x6E736673


def _fs_type(fd):
    buf = _ctypes.create_string_buffer(128)
    return _ctypes.c_long.from_buffer(buf).value if _LIBC.fstatfs(fd, buf) == 0 else None


_seen, _pipes, foreign = {}, {}, []
for _fd in range(3, 1024):
    try:
        _st = _os.fstat(_fd)
        _access = _fcntl.fcntl(_fd, _fcntl.F_GETFL) & _os.O_ACCMODE
    except OSError:
        continue
    if stat.S_ISSOCK(_st.st_mode):
        foreign.append(f"{_fd}: socket")
    elif stat.S_ISDIR(_st.st_mode):
        foreign.append(f"{_fd}: directory")
    elif stat.S_ISFIFO(_st.st_mode):
        if _access == _os.O_RDONLY:
            foreign.append(f"{_fd}: read end of a pipe")
        _pipes.setdefault(_st.st_ino, []).append(_fd)
    elif _fs_type(_fd) == NSFS_MAGIC:
        foreign.append(f"{_fd}: namespace handle")
foreign += [f"{fds}: both ends of one pipe" for fds in _pipes.values() if len(fds) > 1]
log(f"descriptors: {foreign or 'only the harness channels'}")


def double(a):
    return 2 * a


def add(a, b):
    if foreign:
        raise RuntimeError(f"inherited descriptors: {'; '.join(foreign)}")
    return a + b


def mul(a, b):
    return a * b
