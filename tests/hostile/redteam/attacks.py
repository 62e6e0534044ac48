"""The red-team cases and what they aim at: which cases are graded together, alone or once per layer
switched off, the secrets and victims they reach for, the folder names and files no case folder in the
repository can hold, and the messages that say a deadline was kept.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

REDTEAM = Path(__file__).parent
CASES = sorted(p.name for p in (REDTEAM / "cases").iterdir() if p.is_dir())
TOOLKIT = (REDTEAM / "toolkit.py").read_text()
IMPORT_TIMEOUT = re.compile("did not finish within 6 s")
CALL_TIMEOUT = re.compile("did not finish within 3 s")
# a deadline kept, or the child stopped for breaking the protocol
STOPPED = re.compile("did not finish within|was stopped because")
GIB = 1 << 30

# Graded alone: each may hang the parent, flood it, or fill its memory.
ISOLATED = ["ctl_endless_lines", "ctl_giant_line", "frame_index_amplifier", "mem_memfd", "mem_sysv_shm", "reply_dev_zero",
            "reply_fifo", "reply_huge_json", "reply_index_amplifier", "reply_tensor_fifo", "sub_deep_folder",
            "sub_fifo_in_folder", "sub_huge_source", "sub_huge_sparse_file"]
MAIN = [c for c in CASES if c not in ISOLATED]
# Graded once per layer switched off: the escapes that more than one layer stands against.
LAYER_CASES = ["cap_sethostname", "cg_escape_cgroup", "ctl_init_victim_at_import", "fd_inventory", "fd_spare_socket_escape",
               "fd_wake_pipe_thief", "ipc_a_sysv_shm_left", "ipc_b_reads_leftovers", "net_abstract_socket",
               "net_tcp_loopback", "proc_daemon_survives", "proc_mem_of_victim", "proc_ptrace_victim", "proc_signals_victim",
               "reply_reads_secret_tensor", "well_behaved"]
# Folder names no case folder can carry in the repository.
RENAMED = {"str_long_student_name": "long-" + "n" * 235,
           "str_csv_formula_name": '=HYPERLINK("https:evil.example","click me")'}


def _deep_folder(folder: Path, course: Path, outside: Path) -> None:
    for depth in range(1, 1201):  # one by one: os.makedirs recurses too
        os.mkdir(folder.joinpath(*["d"] * depth))


def _symlink_to_reference(folder: Path, course: Path, outside: Path) -> None:
    (folder / "question1.py").unlink()
    (folder / "question1.py").symlink_to(course / "reference" / "redteam" / "question1.py")


def _symlink_to_secret(folder: Path, course: Path, outside: Path) -> None:
    (folder / "question1.py").unlink()
    (folder / "question1.py").symlink_to(outside / "exam-solution.py")


def _huge_source(folder: Path, course: Path, outside: Path) -> None:
    with open(folder / "question1.py", "a") as f:
        f.write("\nTABLE = [" + "0," * 3_000_000 + "]\n")


def _sparse_file(folder: Path, course: Path, outside: Path) -> None:
    with open(folder / "weights.bin", "wb") as f:
        f.truncate(4 * GIB)


# What the test adds to a case's folder: things no case folder in the repository can hold.
EXTRAS = {"sub_deep_folder": _deep_folder, "sub_huge_sparse_file": _sparse_file, "sub_huge_source": _huge_source,
          "sub_fifo_in_folder": lambda folder, course, outside: os.mkfifo(folder / "data.fifo"),
          "sub_question_symlink_to_secret": _symlink_to_secret, "sub_source_symlink_to_reference": _symlink_to_reference}
SECRET_PY_MARKER = "TOPSECRET-PY-31c7"
SECRET_PY = f'''"""{SECRET_PY_MARKER}"""
!echo staged
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return torch.mul(a, b)
'''
SECRET_VALUES = (1234.5, 6789.25, 4242.125)
SECRET_JSON_MARKER = "TOPSECRET-JSON-8f2e"
IPC_KEYS = ("5eed0001", "5eed0002", "5eed0003")
MQ_NAME = "/redteam-mq"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
