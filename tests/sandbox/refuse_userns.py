"""``python refuse_userns.py COMMAND...``: run COMMAND where no user namespace can be created, as on a
machine whose administrator set ``user.max_user_namespaces`` to 0.

This process enters a user namespace of its own (its uid and gid mapped to themselves), sets that
namespace's limit of nested ones to 0, and executes COMMAND, which keeps no capability.
"""
from __future__ import annotations

import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000


def main() -> None:
    uid, gid = os.geteuid(), os.getegid()
    if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                       ("/proc/self/gid_map", f"{gid} {gid} 1"), ("/proc/sys/user/max_user_namespaces", "0")):
        with open(path, "w") as f:
            f.write(text)
    os.execv(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
