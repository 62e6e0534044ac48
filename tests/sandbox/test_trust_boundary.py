"""The child cannot drive the parent: attacks by student code that knows the harness.

Student code shares its process with the child's harness, so each case here does what an
attacker who has read the sandbox would do: find the reply pipe and write to it, forge frames,
name pids, stall, flood, leave IPC objects, keys and daemons behind. Each asserts the precise
safe outcome. The layer-sensitive cases run again with each layer switched off in turn:
switching one layer off may weaken that layer's own protection, never open another hole.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.inputs import generate_inputs
from grader.observe import FileObservations
from grader.sandbox.layers.confine import LAYERS
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.protocol import InputSpec, Probe, SandboxSettings, Step
from grader.sandbox.parent.runner import run_file

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox's layers need root")]

INPUTS = {"a": InputSpec(shape=[3]), "b": InputSpec(shape=[3])}
SLACK = 8.0  # seconds for starting and stopping children on a loaded 2-core machine

# What an attacker puts at the top of a file: find the reply pipe, write frames like the harness.
ATTACK = '''
import fcntl, json, os, stat, struct, time, torch
def channel():
    for fd in range(3, 256):
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if stat.S_ISFIFO(st.st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY:
            return fd
    raise LookupError("no reply pipe")
def frame(kind, payload, blob=b"", json_len=None, blob_len=None):
    data = json.dumps(payload).encode()
    head = struct.pack("<cIQ", kind, len(data) if json_len is None else json_len,
                       len(blob) if blob_len is None else blob_len)
    os.write(channel(), head + data + blob)
def double(a):
    return 2 * a
'''


def probes(*names: str, timeout: float = 5.0) -> list[Probe]:
    args = {"add": [{"input": "a"}, {"input": "b"}], "double": [{"input": "a"}]}
    return [Probe(id=name, inputs=INPUTS, timeout=timeout,
                  steps=[Step(call=name.split("-")[0], args=args[name.split("-")[0]], observe="out")])
            for name in names]


@pytest.fixture(scope="module")
def launcher():
    with ForkServerLauncher(1) as pool:
        yield pool


@pytest.fixture
def victim():
    proc = subprocess.Popen(["sleep", "600"])
    yield proc
    proc.kill()
    proc.wait()


def grade(tmp_path: Path, code: str, probe_list: list[Probe], launcher, *, without: str | None = None,
          import_timeout: float = 20.0, name: str = "student", **limits) -> FileObservations:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "q.py").write_text(ATTACK + textwrap.dedent(code))
    settings = SandboxSettings(disable=[without] if without else [], **limits)
    return run_file("q.py", folder, probe_list, import_timeout=import_timeout, launcher=launcher, sandbox=settings)


def alive(proc: subprocess.Popen) -> bool:
    return proc.poll() is None


# --- the reply pipe is the student's too: nothing on it can make the parent act -----------------

def test_a_forged_init_line_kills_nobody(tmp_path, launcher, victim):
    obs = grade(tmp_path, f"os.write(channel(), b'init {victim.pid}\\n')\n", probes("double"), launcher)
    time.sleep(0.2)
    assert alive(victim)
    assert obs.imported.status == "crashed" and "does not understand" in obs.imported.detail


def test_start_lines_cannot_push_a_deadline(tmp_path, launcher):
    code = "for _ in range(10_000):\n    os.write(channel(), b'start double\\n')\ntime.sleep(100)\n"
    started = time.monotonic()
    obs = grade(tmp_path, code, probes("double"), launcher, import_timeout=2)
    assert time.monotonic() - started < 2 + SLACK
    assert obs.imported.status == "crashed" and "does not understand" in obs.imported.detail


def test_forged_reports_stay_inside_the_files_total_budget(tmp_path, launcher):
    """A forged import report moves the parent to the first probe: it gets that probe's time, no more."""
    code = "frame(b'I', {'status': 'ok'})\ntime.sleep(100)\n"
    started = time.monotonic()
    obs = grade(tmp_path, code, probes("double", "add", "double-2", timeout=1), launcher, import_timeout=2)
    elapsed = time.monotonic() - started
    assert elapsed < 2 * 2 + 3 * 1 + SLACK  # the file's budget (two imports and every probe), plus start-up
    assert {o.status for o in obs.probes.values()} <= {"timeout", "not_run"}
    assert all(o.values == {} for o in obs.probes.values())


def test_the_total_budget_ends_a_file_that_crashes_every_probe_after_a_slow_import(tmp_path, launcher):
    code = "time.sleep(3)\ndef add(a, b):\n    os._exit(0)\n"
    started = time.monotonic()
    names = [f"add-{i}" for i in range(8)]
    obs = grade(tmp_path, code, probes(*names, timeout=0.5), launcher, import_timeout=4)
    assert time.monotonic() - started < 2 * 4 + 8 * 0.5 + SLACK
    assert obs.imported.status == "ok"
    statuses = [obs.probes[name].status for name in names]
    assert statuses[0] == "crashed" and statuses[-1] == "not_run"  # eight re-imports of 3 s do not fit in 12 s
    assert "total time budget of 12 s" in obs.probes[names[-1]].detail


@pytest.mark.parametrize("code, reason", [
    ("frame(b'P', {}, blob_len=2**60)\n", "announced a reply larger than the reply limit"),
    ("frame(b'P', {}, json_len=5 * 2**20)\n", "over the limit of 4,194,304"),
    ("os.write(channel(), b'\\xff' * 2**20)\n", "does not understand"),
    ("frame(b'I', {'status': 'ok'})\nframe(b'E', {})\nframe(b'E', {})\n", "out of order"),
    ("os.write(channel(), struct.pack('<cIQ', b'I', 400_001, 0) + b'[' * 200_000 + b']' * 200_001)\n",
     "malformed reply"),
])
def test_malformed_or_oversized_frames_stop_the_child_at_once(tmp_path, launcher, code, reason):
    started = time.monotonic()
    obs = grade(tmp_path, code + "time.sleep(100)\n", probes("double"), launcher)
    assert time.monotonic() - started < SLACK  # long before the 20 s import limit: at the first bad byte
    told = obs.imported.detail + obs.probes["double"].detail
    assert reason in told and obs.probes["double"].status != "ok", told


def test_a_lying_tensor_index_costs_its_own_probe_only(tmp_path, launcher):
    code = """
    def add(a, b):
        index = [{"key": "t0", "dtype": "float32", "shape": [10**6], "offset": 0, "nbytes": 4 * 10**6}]
        frame(b'P', {"status": "ok", "values": {"out": {"type": "tensor", "tensor": "t0"}}, "tensor_index": index},
              b"\\0" * 8)
        time.sleep(100)
    """
    obs = grade(tmp_path, code, probes("add", "double"), launcher)
    assert obs.probes["add"].status == "crashed" and "does not fit its byte range" in obs.probes["add"].detail
    assert obs.probes["double"].status == "ok"


def test_a_child_cannot_claim_a_status_only_the_parent_decides(tmp_path, launcher):
    code = """
    def add(a, b):
        frame(b'P', {"status": "timeout", "detail": "the grader broke", "values": {}})
        time.sleep(100)
    """
    obs = grade(tmp_path, code, probes("add", "double", timeout=1), launcher)
    assert obs.probes["add"].status == "error" and obs.probes["add"].detail == ""
    assert obs.probes["double"].status == "timeout"  # the forged reply was taken as add's: double ran out of time


def test_strings_from_the_child_are_cleaned_and_bounded(tmp_path, launcher):
    code = """
    globals()["n" * 5_000_000] = 1
    class Nasty(Exception):
        pass
    def add(a, b):
        raise Nasty("\\udcff [/x] [bold]" + "x" * 10**6)
    """
    obs = grade(tmp_path, code, probes("add"), launcher)
    error = obs.probes["add"].error
    assert error.type == "Nasty" and error.message.startswith("? [/x] [bold]")
    assert len(error.message) < 1_100
    assert all(len(n) <= 100 for n in obs.imported.defined) and "double" in obs.imported.defined
    assert len(obs.model_dump_json()) < 50_000


# --- the host: processes, descriptors, IPC, keys, memory, disk ----------------------------------

LAYER_SENSITIVE = {
    "signals": ("import signal\ndef add(a, b):\n    try:\n        os.kill(-1, signal.SIGKILL)\n"
                "    except OSError:\n        pass\n"
                "    try:\n        os.kill({victim}, signal.SIGKILL)\n    except OSError as e:\n        return a + b\n"
                "    return a - b\n"),
    "descriptors": ("import socket\ndef add(a, b):\n    found = []\n    for fd in range(3, 1024):\n"
                    "        try:\n            st = os.fstat(fd)\n        except OSError:\n            continue\n"
                    "        if stat.S_ISSOCK(st.st_mode) or fd != channel():\n            found.append(fd)\n"
                    "    return torch.tensor(found, dtype=torch.float32) if found else a + b\n"),
    "daemon": ("import ctypes\ndef add(a, b):\n    if os.fork() == 0:\n        os.setsid()\n"
               "        ctypes.CDLL(None).prctl(15, b'graderdaemon', 0, 0, 0)\n        time.sleep(600)\n"
               "        os._exit(0)\n    return a + b\n"),
}


def daemons() -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "graderdaemon":
                found.append(int(pid))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("without", [None, *LAYERS])
@pytest.mark.parametrize("case", sorted(LAYER_SENSITIVE))
def test_layer_sensitive_attacks_fail_with_any_one_layer_off(tmp_path, launcher, victim, case, without):
    code = LAYER_SENSITIVE[case].replace("{victim}", str(victim.pid))
    obs = grade(tmp_path, code, probes("add", "double"), launcher, without=without)
    time.sleep(0.1)  # a signal, had one been sent, has arrived
    assert alive(victim)
    assert obs.probes["add"].status == "ok", obs.probes["add"]
    inputs = generate_inputs(INPUTS, 0)
    assert obs.probes["add"].values["out"].tensor.equal(inputs["a"] + inputs["b"])
    assert obs.probes["double"].status == "ok"
    if case == "daemon":
        deadline = time.monotonic() + 3
        while daemons() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert daemons() == []


SHM = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
def add(a, b):
    shmid = libc.shmget(0x7E57, 4096, {flags})
    if shmid < 0:
        return torch.tensor([float(ctypes.get_errno())])
    address = libc.shmat(shmid, None, 0)
    {action}
    return a + b
"""


def host_has_segment(key: int) -> bool:
    return any(int(line.split()[0]) == key for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:])


@pytest.mark.parametrize("without", [None, *(layer for layer in LAYERS if layer != "ipc-namespace")])
def test_shared_memory_left_by_one_student_is_gone_for_the_next(tmp_path, launcher, without):
    leave = SHM.format(flags="0o1600", action="ctypes.memmove(address, b'secret', 6)")
    read = SHM.format(flags="0", action="return torch.tensor([float(ctypes.string_at(address, 6) == b'secret')])")
    first = grade(tmp_path, leave, probes("add"), launcher, without=without, name="first")
    second = grade(tmp_path, read, probes("add"), launcher, without=without, name="second")
    assert first.probes["add"].status == "ok"
    assert second.probes["add"].values["out"].tensor.tolist() == [2.0]  # ENOENT: no such segment
    assert not host_has_segment(0x7E57)


KEYS = """
import ctypes
def add(a, b):
    libc = ctypes.CDLL(None, use_errno=True)
    serial = libc.syscall({add_key}, b"user", b"grader-test-key", b"secret", 6, -4)
    return torch.tensor([float(serial), float(ctypes.get_errno())])
"""


def test_kernel_keys_cannot_be_left_behind(tmp_path, launcher):
    import platform

    number = {"x86_64": 248, "aarch64": 217}.get(platform.machine())
    if number is None:
        pytest.skip("no add_key number for this machine")
    obs = grade(tmp_path, KEYS.format(add_key=number), probes("add"), launcher)
    serial, error = obs.probes["add"].values["out"].tensor.tolist()
    assert serial == -1 and error == 1.0  # EPERM from the seccomp filter
    assert "grader-test-key" not in Path("/proc/keys").read_text()


def test_a_submission_too_big_for_its_tmpfs_is_refused_not_run_on_disk(tmp_path, launcher):
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "q.py").write_text("open('/dev/null')\n")
    with open(folder / "data.bin", "wb") as f:
        f.truncate(600 << 20)  # sparse: no real disk is used
    obs = run_file("q.py", folder, probes("double"), launcher=launcher, sandbox=SandboxSettings(disk_mb=512))
    assert obs.imported.status == "error" and "does not fit in the sandbox's disk of 512 MB" in obs.imported.detail
    assert obs.probes == {}  # nothing ran


MEMFD_DRIVER = """
import os, sys, tempfile, textwrap, uuid
from pathlib import Path
group = Path("/sys/fs/cgroup/memory") / f"grader-test-{uuid.uuid4().hex[:8]}"
group.mkdir()
(group / "memory.limit_in_bytes").write_text(str(3 << 30))
(group / "cgroup.procs").write_text("0")
from grader.sandbox.protocol import Probe, SandboxSettings, Step
from grader.sandbox.parent.runner import run_file
folder = Path(tempfile.mkdtemp())
(folder / "q.py").write_text(textwrap.dedent('''
    import os
    def hoard():
        block = b"x" * (64 << 20)
        held = []
        for _ in range(8):  # 8 files of 256 MB, each under the file size limit: 2 GiB in all
            held.append(os.memfd_create("hoard"))
            for _ in range(4):
                os.write(held[-1], block)
        return 1
'''))
obs = run_file("q.py", folder, [Probe(id="p", steps=[Step(call="hoard", observe="v")], timeout=30)],
               sandbox=SandboxSettings(memory_mb=1024, disable=sys.argv[1:]))
from grader.sandbox.layers import cgroups
import time
cgroups.sweep(5)
Path("/sys/fs/cgroup/memory/cgroup.procs").write_text("0")
deadline = time.monotonic() + 20  # on a busy machine the killed child can take a while to free 1 GiB and exit
while True:
    try:
        for leftover in [*sorted(group.rglob("*/"), reverse=True), group]:
            leftover.rmdir()
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
import shutil
shutil.rmtree(folder)
print(obs.probes["p"].status, "|", obs.probes["p"].detail, obs.probes["p"].error)
"""


def run_memfd_attack(*without: str) -> str:
    """The attack runs in a process whose own memory cgroup is capped at 3 GiB: never the machine's."""
    if not Path("/sys/fs/cgroup/memory/cgroup.procs").exists():
        pytest.skip("no cgroup v1 memory hierarchy to cap the test in")
    proc = subprocess.run([sys.executable, "-c", MEMFD_DRIVER, *without], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


def test_memory_that_rlimits_cannot_see_is_bounded_by_the_memory_cgroup():
    outcome = run_memfd_attack()
    assert re.match(r"crashed \| the process used more than its memory limit of 1024 MB", outcome), outcome
    assert run_memfd_attack("rlimits").startswith("crashed | the process used more than its memory limit")
    assert run_memfd_attack("memory-cgroup").startswith("ok")  # the layer off: RLIMIT_AS alone lets 2 GiB through


def test_special_files_in_a_submission_are_left_out_not_opened(tmp_path, launcher):
    folder = tmp_path / "fifo"
    folder.mkdir()
    (folder / "q.py").write_text("import os\ndef listing():\n    return sorted(os.listdir('.'))\n")
    os.mkfifo(folder / "question2_result.pdf")
    obs = run_file("q.py", folder, [Probe(id="ls", steps=[Step(call="listing", observe="v")])], launcher=launcher)
    assert [v.text for v in obs.probes["ls"].values["v"].items] == ["q.py"]


def test_system_secrets_in_etc_are_out_of_reach(tmp_path, launcher):
    """The child runs as uid 0 without capabilities: file ownership alone would let it read /etc/shadow."""
    code = "def add(a, b):\n    for path in ('/etc/shadow', '/etc/ssh'):\n        try:\n            open(path).read()\n" \
           "        except PermissionError:\n            continue\n        except OSError:\n            continue\n" \
           "        return a - b\n    return a + b\n"
    if not Path("/etc/shadow").exists():
        pytest.skip("no /etc/shadow here")
    obs = grade(tmp_path, code, probes("add"), launcher)
    inputs = generate_inputs(INPUTS, 0)
    assert obs.probes["add"].values["out"].tensor.equal(inputs["a"] + inputs["b"])
