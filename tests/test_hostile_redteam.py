"""Red-team submissions: student code that reads the sandbox as an attacker would.

Student code runs in the same process as the child's harness, so it can do whatever the harness
does: walk its frames to the request and the control descriptor, write any control line, write
or replace reply files, reach every descriptor the child inherited. Each case in
``hostile/redteam/cases/`` does one such thing (with the in-child toolkit pasted on top), and
each test below asserts the precise safe outcome: the victim process alive, the deadline kept,
the file outside unread and absent from every output, no IPC object left, the CSV cell
neutralised, the batch exiting 0 with everyone graded, no process left.

Every batch runs as PID 1 of its own PID and IPC namespaces (``unshare --pid --ipc --fork
--kill-child``), inside a memory cgroup the test creates, under a deadline: a failing grader
cannot take the machine down, and what a case leaves behind dies with the namespaces. Victim
processes are the first children of that PID 1, so their pids (2, 3, ...) are known before the
cases are written. Three kinds of batch:

- the main batch grades every case that cannot hang or blow up the parent, two at a time;
- cases that attack the parent itself (hangs, floods, memory) are graded alone, one batch each,
  next to a batch of the well-behaved case alone that gives the baseline;
- the layer batches grade the escape cases once per sandbox layer switched off (``--without``):
  switching one layer off may weaken that layer only, so every outcome asserted there must hold
  whichever layer is off.
"""
from __future__ import annotations

import csv
import ctypes
import io
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REDTEAM = Path(__file__).parent / "hostile" / "redteam"
CASES = sorted(p.name for p in (REDTEAM / "cases").iterdir() if p.is_dir())
TOOLKIT = (REDTEAM / "toolkit.py").read_text()
TIMEOUT = re.compile("did not finish within")
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

WRAPPER = r'''
import ctypes, json, os, resource, socket, subprocess, sys, threading, time, traceback
report_path, plan = sys.argv[1], json.load(open(sys.argv[2]))
# The victims first: PID 1's first children are pids 2, 3, ... in this fresh namespace.
victims = [subprocess.Popen(["sleep", "3600"]) for _ in range(plan["victims"])]
started = time.monotonic()
once = threading.Lock()
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def state(pid):
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def others():
    keep = {1} | {v.pid for v in victims}
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in keep and state(name) not in ("Z", "gone"):
            try:
                found[name] = open(f"/proc/{name}/cmdline", "rb").read().replace(b"\0", b" ").decode()[:200]
            except OSError:
                pass
    return found


def ipc_rows(kind):
    try:
        lines = open(f"/proc/sysvipc/{kind}").read().splitlines()[1:]
    except OSError:
        return []
    return [f"{int(line.split()[0]):08x}" for line in lines]


def posix_queues():
    found = []
    for name in plan["mq_names"]:
        mqd = libc.mq_open(name.encode(), os.O_RDONLY, 0, None)
        if mqd >= 0:
            found.append(name)
            libc.mq_close(mqd)
            libc.mq_unlink(name.encode())
    return found


def keys():
    found = []
    for ring in (-4, -3):  # user, session
        serial = libc.syscall(250, 10, ring, b"user", plan["key_description"].encode(), 0)
        if serial > 0:
            found.append(ring)
            libc.syscall(250, 21, serial)  # KEYCTL_INVALIDATE
    return found


def finish(code):
    with once:
        elapsed = time.monotonic() - started
        left = others()
        deadline = time.monotonic() + 5
        while left and time.monotonic() < deadline and not str(code).startswith("hung"):
            try:
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            except ChildProcessError:
                pass
            time.sleep(0.1)
            left = others()
        report = {"code": code, "elapsed": elapsed, "victims": {str(v.pid): state(v.pid) for v in victims},
                  "survivors": left, "shm": ipc_rows("shm"), "msg": ipc_rows("msg"), "sem": ipc_rows("sem"),
                  "mq": posix_queues(), "keys": keys(), "hostname": socket.gethostname(),
                  "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
        with open(report_path + ".tmp", "w") as f:
            json.dump(report, f)
        os.replace(report_path + ".tmp", report_path)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


timer = threading.Timer(plan["deadline"], finish, args=(f"hung after {plan['deadline']} s",))
timer.daemon = True
timer.start()
try:
    from grader.cli import main
    code = main(plan["argv"])
except BaseException as exc:
    traceback.print_exc()
    code = f"raised {type(exc).__name__}: {str(exc)[:500]}"
finish(code)
'''


# --- the machinery: a memory cgroup, templated cases, one batch in fresh namespaces ----------

class MemoryCgroup:
    """A cgroup v1 memory group for one batch (the machine is shared: never run a batch unbounded)."""

    ROOT = Path("/sys/fs/cgroup/memory")

    def __init__(self, limit: int) -> None:
        if os.geteuid() != 0 or not (self.ROOT / "cgroup.procs").exists():
            pytest.skip("red-team batches need root and a cgroup v1 memory hierarchy to bound them")
        self.path = self.ROOT / f"redteam-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.path.mkdir()
        (self.path / "memory.limit_in_bytes").write_text(str(limit))

    def stats(self) -> dict:
        oom = dict(line.split() for line in (self.path / "memory.oom_control").read_text().splitlines())
        return {"max_usage": int((self.path / "memory.max_usage_in_bytes").read_text()),
                "oom_kills": int(oom.get("oom_kill", 0))}

    def remove(self) -> None:
        """Remove the group and the grader's groups nested in it, deepest first, once their tasks are gone."""
        for _ in range(100):
            nested = sorted((p for p in self.path.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
            for group in nested + [self.path]:
                try:
                    group.rmdir()
                except OSError:
                    pass
            if not self.path.exists():
                return
            time.sleep(0.1)


def _keyctl(*args) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(250, *args)


def remove_keys(description: str) -> None:
    """The user and session keyrings are shared with the host: never leave a case's key there."""
    for ring in (-4, -3):
        for _ in range(10):
            serial = _keyctl(10, ring, b"user", description.encode(), 0)
            if serial <= 0:
                break
            _keyctl(21, serial)


def listeners() -> dict:
    tcp = socket.socket()
    tcp.bind(("127.0.0.1", 0))
    tcp.listen()
    tcp.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.setblocking(False)
    abstract_name = f"redteam-{uuid.uuid4().hex}"
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind("\0" + abstract_name)
    abstract.listen()
    abstract.setblocking(False)
    return {"tcp": tcp, "udp": udp, "abstract": abstract, "abstract_name": abstract_name}


def reached(sock: socket.socket, datagram: bool = False) -> int:
    count = 0
    while True:
        try:
            if datagram:
                sock.recvfrom(4096)
            else:
                sock.accept()[0].close()
        except (BlockingIOError, OSError):
            return count
        count += 1


def outputs_text(out: Path) -> str:
    """Everything the batch wrote for people and tools to read."""
    parts = []
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".html", ".csv"):
            parts.append(path.read_text(errors="replace"))
    return "\n".join(parts)


def prepare_course(root: Path) -> Path:
    course = root / "course"
    shutil.copytree(REDTEAM / "rubrics", course / "rubrics")
    shutil.copytree(REDTEAM / "reference", course / "reference")
    return course


def reference_cache_bin(cache: Path, course: Path) -> Path:
    """Where the batch will cache the reference's tensors (the redteam key, on the CPU)."""
    from grader.assignments import find_assignment
    from grader.reference_cache import reference_key

    cwd = os.getcwd()
    os.chdir(course)
    try:
        assignment = find_assignment("redteam")
        return cache / "redteam" / reference_key(assignment, "cpu") / "question1.bin"
    finally:
        os.chdir(cwd)


def run_batch(root: Path, cache: Path, cases: list[str], *, jobs: int, without: tuple[str, ...] = (),
              deadline: float, memory: int) -> dict:
    """Grade ``cases`` in one batch in fresh PID and IPC namespaces and a memory cgroup."""
    if not shutil.which("unshare"):
        pytest.skip("red-team batches need util-linux unshare")
    course = prepare_course(root)
    subs, out, outside = root / "subs", root / "out", root / "outside"
    outside.mkdir()
    secret_tensor = outside / "exam-answers.bin"
    secret_tensor.write_bytes(struct.pack("<3f", *SECRET_VALUES))
    secret_json = outside / "exam-answers.json"
    secret_json.write_text(json.dumps({"probe_id": "add.t0", "status": "error",
                                       "error": {"type": "Leak", "message": SECRET_JSON_MARKER}}))
    secret_py = outside / "exam-solution.py"
    secret_py.write_text(SECRET_PY)
    now = time.time()
    for secret in (secret_tensor, secret_json, secret_py):  # atime before mtime: the next read moves it (relatime)
        os.utime(secret, (now - 86400, now))
    atimes = {p: p.stat().st_atime_ns for p in (secret_tensor, secret_json, secret_py)}
    socks = listeners()
    key_description = f"redteam-key-{uuid.uuid4().hex}"
    hostname = f"redteam-renamed-{uuid.uuid4().hex[:8]}"
    values = {"TOOLKIT": TOOLKIT, "REFERENCE_CACHE_BIN": str(reference_cache_bin(cache, course)),
              "SECRET_TENSOR": str(secret_tensor), "SECRET_JSON": str(secret_json), "MARKER": str(outside / "marker"),
              "PORT": str(socks["tcp"].getsockname()[1]), "UDP_PORT": str(socks["udp"].getsockname()[1]),
              "ABSTRACT": socks["abstract_name"], "KEY_DESCRIPTION": key_description,
              "HOSTNAME": hostname}
    victims: dict[str, int] = {}
    for case in cases:
        text = (REDTEAM / "cases" / case / "question1.py").read_text()
        if "{{VICTIM}}" in text:
            victims[case] = 2 + len(victims)
            text = text.replace("{{VICTIM}}", str(victims[case]))
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        folder = subs / RENAMED.get(case, case)
        folder.mkdir(parents=True)
        (folder / "question1.py").write_text(text)
        if case in EXTRAS:
            EXTRAS[case](folder, course, outside)
    out.mkdir()
    argv = ["batch", "redteam", str(subs), "--out", str(out), "-j", str(jobs)]
    for layer in without:
        argv += ["--without", layer]
    plan = {"argv": argv, "victims": len(victims), "deadline": deadline, "mq_names": [MQ_NAME],
            "key_description": key_description}
    (root / "plan.json").write_text(json.dumps(plan))
    report = root / "report.json"
    group = MemoryCgroup(memory)
    command = ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(group.path / "cgroup.procs"),
               "unshare", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc",
               sys.executable, "-c", WRAPPER, str(report), str(root / "plan.json")]
    env = {**os.environ, "GRADER_CACHE_DIR": str(cache), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    started = time.monotonic()
    try:
        proc = subprocess.run(command, cwd=course, env=env, timeout=deadline + 120, capture_output=True, text=True)
    finally:
        remove_keys(key_description)
        memory_stats = group.stats()
        group.remove()
    elapsed = time.monotonic() - started
    (root / "batch-output.txt").write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr)
    net = {"tcp": reached(socks["tcp"]), "udp": reached(socks["udp"], datagram=True),
           "abstract": reached(socks["abstract"])}
    for name in ("tcp", "udp", "abstract"):
        socks[name].close()
    assert report.exists(), (f"the batch's PID 1 died (rc {proc.returncode}, memory {memory_stats})\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    results = {}
    by_folder = {RENAMED.get(c, c): c for c in cases}
    for path in (out / "results").glob("*.json") if (out / "results").is_dir() else []:
        data = json.loads(path.read_text())
        results[by_folder.get(data["student"], data["student"])] = data | {"_path": str(path)}
    return {"report": json.loads(report.read_text()), "results": results, "out": out, "root": root,
            "proc": proc, "elapsed": elapsed, "victims": victims, "net": net, "memory": memory_stats,
            "secrets": {"tensor": secret_tensor, "json": secret_json, "py": secret_py}, "atimes": atimes,
            "marker": outside / "marker", "cases": cases, "hostname": hostname}


def checks_of(batch: dict, case: str) -> dict[str, dict]:
    assert case in batch["results"], f"{case} was not graded: {sorted(batch['results'])}"
    return {c["id"]: c for c in batch["results"][case]["questions"][0]["checks"]}


def explain(batch: dict, case: str) -> str:
    """What the case printed (its `[redteam]` lines say what the attack managed)."""
    result = batch["results"].get(case)
    output = result["questions"][0]["output"] if result else "(not graded)"
    lines = [line for line in output.splitlines() if "[redteam]" in line]
    return f"{case}: {' | '.join(lines)[:1500]}"


def victim_state(batch: dict, case: str) -> str:
    pid = batch["victims"][case]
    assert str(pid) in batch["report"]["victims"], f"victim pids were {batch['report']['victims']}, expected {pid}"
    return batch["report"]["victims"][str(pid)]


def assert_batch_ok(batch: dict) -> None:
    report = batch["report"]
    assert report["code"] == 0, (report["code"], batch["proc"].stdout[-2000:], batch["proc"].stderr[-2000:])
    assert set(batch["results"]) == set(batch["cases"])


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("redteam-cache")


@pytest.fixture(scope="module")
def main_batch(tmp_path_factory, cache) -> dict:
    return run_batch(tmp_path_factory.mktemp("redteam-main"), cache, MAIN, jobs=2, deadline=600, memory=4 * GIB)


@pytest.fixture(scope="module")
def alone(tmp_path_factory, cache):
    """``alone(case)``: that case graded in a batch of its own (memoised)."""
    done: dict[str, dict] = {}
    roots: list[Path] = []

    def grade(case: str) -> dict:
        if case not in done:
            roots.append(tmp_path_factory.mktemp(f"redteam-{case}"))
            done[case] = run_batch(roots[-1], cache, [case], jobs=1, deadline=90, memory=3 * GIB)
        return done[case]
    yield grade
    for root in roots:  # pytest's own clean-up recurses, and 1,200 nested folders are too deep for it
        remove_tree(root)


def remove_tree(root: Path) -> None:
    """``shutil.rmtree`` without recursion."""
    folders, stack = [], [root]
    while stack:
        folder = stack.pop()
        folders.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


@pytest.fixture(scope="module")
def layer_off(tmp_path_factory, cache):
    """``layer_off(layer)``: the escape cases graded with ``--without layer`` (memoised)."""
    done: dict[str, dict] = {}

    def grade(layer: str) -> dict:
        if layer not in done:
            done[layer] = run_batch(tmp_path_factory.mktemp(f"redteam-without-{layer}"), cache, LAYER_CASES, jobs=2,
                                    without=(layer,), deadline=200, memory=4 * GIB)
        return done[layer]
    return grade


def _layers() -> list[str]:
    from grader.sandbox.confine import LAYERS

    return list(LAYERS)


# --- the main batch: the batch itself ---------------------------------------------------------

def test_main_batch_exits_0_with_every_case_graded(main_batch):
    assert len(CASES) >= 25
    assert_batch_ok(main_batch)


def test_main_batch_leaves_no_process(main_batch):
    assert main_batch["report"]["survivors"] == {}


EXPECTED_ADD = {  # case -> (status of `add`, pattern of its message or None)
    "well_behaved": ("pass", None),
    "ctl_init_victim_then_hang": ("error", STOPPED),
    "ctl_start_extends_call": ("error", STOPPED),
    "frame_stalled_header": ("error", CALL_TIMEOUT),
    "proc_mem_of_victim": ("pass", None),
    "cap_sethostname": ("pass", None),
    "reply_disk_fill": ("pass", None),
    "ipc_b_reads_leftovers": ("pass", None),
    "fd_inventory": ("pass", None),
    "cg_escape_cgroup": ("pass", None),
    "rl_raise_hard_limits": ("pass", None),
    "net_abstract_socket": ("pass", None),
    "net_tcp_loopback": ("pass", None),
    "proc_ptrace_victim": ("pass", None),
    "str_nan_seconds": ("pass", None),
    "str_markup_in_message": ("error", re.compile(re.escape("[/x] [bold red]full marks"))),
    "str_lone_surrogate": ("error", re.compile("ValueError: lone")),
    "str_long_student_name": ("pass", None),
    "str_csv_formula_name": ("pass", None),
}


@pytest.mark.parametrize("case", sorted(EXPECTED_ADD))
def test_add_outcome(main_batch, case):
    checks = checks_of(main_batch, case)
    status, pattern = EXPECTED_ADD[case]
    assert checks["add"]["status"] == status, (checks["add"]["message"], explain(main_batch, case))
    if pattern is not None:
        assert pattern.search(checks["add"]["message"]), checks["add"]["message"]


@pytest.mark.parametrize("case", sorted(set(MAIN) - {"ctl_start_extends_import", "budget_reimport_amplifier",
                                                     "ctl_init_victim_at_import", "ctl_init_victim_then_hang",
                                                     "sub_source_symlink_to_reference", "sub_question_symlink_to_secret"}))
def test_double_still_scores(main_batch, case):
    checks = checks_of(main_batch, case)
    assert checks["double"]["status"] == "pass", (checks["double"]["message"], explain(main_batch, case))


# --- control messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["ctl_init_victim_at_import", "ctl_init_victim_in_call", "ctl_init_victim_then_hang",
                                  "proc_signals_victim", "proc_ptrace_victim", "proc_mem_of_victim"])
def test_victim_outside_the_sandbox_is_untouched(main_batch, case):
    """Alive, not stopped, not traced: the parent signals only pids it learnt from the launcher."""
    assert victim_state(main_batch, case) in ("S", "R"), explain(main_batch, case)


def test_start_messages_do_not_extend_the_import(main_batch):
    checks = checks_of(main_batch, "ctl_start_extends_import")
    for check in ("add", "double"):
        assert checks[check]["status"] == "error", (checks[check]["message"], explain(main_batch, "ctl_start_extends_import"))
        assert IMPORT_TIMEOUT.search(checks[check]["message"]) or STOPPED.search(checks[check]["message"])
    assert main_batch["results"]["ctl_start_extends_import"]["seconds"] < 20


def test_start_messages_do_not_extend_a_call(main_batch):
    assert main_batch["results"]["ctl_start_extends_call"]["seconds"] < 20


def test_a_file_never_runs_past_its_total_budget(main_batch):
    """Import 6 s + 8 probes x 3 s = 30 s, whatever the child does; crashing after each probe to be
    imported again must not multiply it (slack for a fork server started on the way)."""
    result = main_batch["results"]["budget_reimport_amplifier"]
    assert result["seconds"] <= 45, explain(main_batch, "budget_reimport_amplifier")
    checks = checks_of(main_batch, "budget_reimport_amplifier")
    assert checks["add"]["points"] == 0 and checks["mul"]["points"] == 0


# --- reply files --------------------------------------------------------------------------------

def test_forged_reply_cannot_score_with_the_reference_answers(main_batch):
    checks = checks_of(main_batch, "reply_steals_reference_answers")
    assert checks["add"]["points"] == 0, (checks["add"]["message"], explain(main_batch, "reply_steals_reference_answers"))


@pytest.mark.parametrize("case,secret", [("reply_reads_secret_tensor", "tensor"), ("reply_reads_secret_json", "json")])
def test_parent_never_reads_a_file_outside_through_a_reply(main_batch, case, secret):
    path = main_batch["secrets"][secret]
    assert path.stat().st_atime_ns == main_batch["atimes"][path], f"{path.name} was read: {explain(main_batch, case)}"
    text = outputs_text(main_batch["out"])
    for marker in [SECRET_JSON_MARKER] + [f"{v:.6g}" for v in SECRET_VALUES]:
        assert marker not in text
    assert checks_of(main_batch, case)["add"]["points"] == 0


@pytest.mark.parametrize("case", ["reply_deep_nesting", "frame_deep_nesting"])
def test_deeply_nested_reply_is_a_failed_probe(main_batch, case):
    checks = checks_of(main_batch, case)
    assert checks["add"]["points"] == 0 and checks["add"]["status"] in ("error", "fail")


# --- IPC and keys left for later students ---------------------------------------------------------

def test_later_student_reads_no_ipc_object(main_batch):
    checks = checks_of(main_batch, "ipc_b_reads_leftovers")
    assert checks["add"]["status"] == "pass", checks["add"]["message"]


@pytest.mark.parametrize("kind", ["shm", "msg", "sem", "mq", "keys"])
def test_no_ipc_object_or_key_outlives_the_batch(main_batch, kind):
    report = main_batch["report"]
    if kind in ("shm", "msg", "sem"):
        assert not set(report[kind]) & set(IPC_KEYS), report[kind]
        assert kind != "shm" or not report["shm"], f"shared memory left: {report['shm']}"
    else:
        assert report[kind] == [], explain(main_batch, "ipc_a_posix_mq_left" if kind == "mq" else "ipc_a_keyring_left")


# --- descriptors, processes, cgroups, network -----------------------------------------------------

def test_no_foreign_descriptor_reaches_the_child(main_batch):
    checks = checks_of(main_batch, "fd_inventory")
    assert checks["add"]["status"] == "pass", checks["add"]["message"]


def test_spare_socket_cannot_run_a_payload(main_batch):
    assert not main_batch["marker"].exists(), explain(main_batch, "fd_spare_socket_escape")


def test_nothing_reached_the_listeners(main_batch):
    assert main_batch["net"] == {"tcp": 0, "udp": 0, "abstract": 0}


def test_the_grading_machine_keeps_its_name(main_batch):
    assert main_batch["report"]["hostname"] != main_batch["hostname"]


# --- strings that reach the instructor's tools ----------------------------------------------------

def test_layers_in_the_report_are_the_parents_not_the_childs(main_batch):
    forged = main_batch["results"]["str_forged_layer_report"]
    honest = main_batch["results"]["well_behaved"]
    assert (forged["sandbox"], forged["sandbox_missing"]) == (honest["sandbox"], honest["sandbox_missing"])


def test_markup_in_a_message_prints_as_text(main_batch):
    from rich.console import Console

    from grader.commands.local import results_table
    from grader.results import Result

    result = Result.model_validate_json(Path(main_batch["results"]["str_markup_in_message"]["_path"]).read_text())
    console = Console(file=io.StringIO(), width=400)
    console.print(results_table(result))
    assert "[/x]" in console.file.getvalue()


def test_lone_surrogates_are_stored_as_valid_utf8(main_batch):
    path = Path(main_batch["results"]["str_lone_surrogate"]["_path"])
    path.read_bytes().decode("utf-8")


def test_huge_names_keep_results_and_reports_small(main_batch):
    result = Path(main_batch["results"]["str_huge_names"]["_path"])
    assert result.stat().st_size < 1_000_000
    for report in (main_batch["out"] / "reports").glob("str_huge_names*"):
        assert report.stat().st_size < 1_000_000


def test_stored_results_load_again(main_batch):
    from grader.results import Result

    for case in ("str_nan_seconds", "str_lone_surrogate", "str_huge_names"):
        Result.model_validate_json(Path(main_batch["results"][case]["_path"]).read_text())


def test_html_from_the_child_is_escaped(main_batch):
    reports = main_batch["out"] / "reports"
    text = "".join(p.read_text() for p in reports.glob("str_html_in_output*"))
    assert text and "<script>" not in text and "<img src=x" not in text


def test_source_checks_do_not_follow_a_symlinked_file(main_batch):
    """The parent reads sources for `source` checks: never through a link the student placed."""
    checks = checks_of(main_batch, "sub_source_symlink_to_reference")
    assert checks["mul_source"]["points"] == 0, checks["mul_source"]["message"]
    assert "REFERENCE-SOURCE-SECRET" not in outputs_text(main_batch["out"])


def test_a_symlinked_question_file_is_never_read_by_the_parent(main_batch):
    """The parent (root) must not read through a student's link, nor stage what it read for the child."""
    path = main_batch["secrets"]["py"]
    checks = checks_of(main_batch, "sub_question_symlink_to_secret")
    assert path.stat().st_atime_ns == main_batch["atimes"][path], checks["add"]["message"]
    assert checks["add"]["points"] == 0 and checks["mul_source"]["points"] == 0, checks["add"]["message"]
    assert SECRET_PY_MARKER not in outputs_text(main_batch["out"])


def test_long_student_names_are_graded(main_batch):
    assert "str_long_student_name" in main_batch["results"]


def test_formula_names_are_neutralised_in_marks_csv(main_batch):
    rows = list(csv.reader(io.StringIO((main_batch["out"] / "marks.csv").read_text())))
    cells = [cell for row in rows for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(FORMULA_START) and not _is_number(cell)]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


# --- cases graded alone: the parent's time and memory ----------------------------------------------

@pytest.mark.parametrize("case", ["sub_deep_folder", "sub_fifo_in_folder", "sub_huge_source", "sub_huge_sparse_file"])
def test_odd_files_in_a_folder_fail_only_their_student(alone, case):
    """A FIFO, a huge sparse file, a huge source or deep nesting in one student's folder: that student is graded
    (or refused, saying why), the batch exits 0, and the parent's memory stays bounded."""
    batch = alone(case)
    assert batch["memory"]["oom_kills"] == 0
    assert_batch_ok(batch)
    grown = batch["report"]["maxrss"] - _baseline(alone)["report"]["maxrss"]
    assert grown < 300 << 20, f"the parent grew by {grown >> 20} MiB"


def _baseline(alone) -> dict:
    return alone("well_behaved")


@pytest.mark.parametrize("case", ["reply_fifo", "reply_tensor_fifo", "ctl_endless_lines", "ctl_giant_line"])
def test_parent_keeps_its_deadlines(alone, case):
    batch = alone(case)
    assert_batch_ok(batch)
    assert batch["report"]["elapsed"] < _baseline(alone)["report"]["elapsed"] + 20, explain(batch, case)
    checks = checks_of(batch, case)
    assert checks["add"]["points"] == 0 and checks["add"]["status"] in ("error", "fail"), checks["add"]["message"]
    assert checks["double"]["status"] == "pass", checks["double"]["message"]


@pytest.mark.parametrize("case", ["reply_dev_zero", "reply_huge_json", "reply_index_amplifier", "frame_index_amplifier",
                                  "ctl_giant_line", "ctl_endless_lines"])
def test_parent_memory_stays_bounded(alone, case):
    batch = alone(case)
    assert batch["memory"]["oom_kills"] == 0, explain(batch, case)
    assert_batch_ok(batch)
    grown = batch["report"]["maxrss"] - _baseline(alone)["report"]["maxrss"]
    assert grown < 300 << 20, f"the parent grew by {grown >> 20} MiB: {explain(batch, case)}"
    checks = checks_of(batch, case)
    assert checks["add"]["points"] == 0, checks["add"]["message"]


@pytest.mark.parametrize("case", ["mem_memfd", "mem_sysv_shm"])
def test_child_memory_is_bounded_beyond_rlimit_as(alone, case):
    """The rubric allows 512 MB; the case holds 1.25 GiB unless refused (`add` then fails)."""
    batch = alone(case)
    assert_batch_ok(batch)
    checks = checks_of(batch, case)
    assert checks["add"]["status"] != "fail", f"{checks['add']['message']} {explain(batch, case)}"
    assert batch["report"]["shm"] == []


# --- one layer off at a time ---------------------------------------------------------------------

LAYER_OUTCOMES = ["batch", "victims", "survivors", "marker", "fd_inventory", "cgroup", "network", "secret", "ipc",
                  "proc_mem", "hostname"]


@pytest.mark.parametrize("outcome", LAYER_OUTCOMES)
@pytest.mark.parametrize("layer", _layers())
def test_one_layer_off_weakens_only_that_layer(layer_off, layer, outcome):
    batch = layer_off(layer)
    report = batch["report"]
    if outcome == "batch":
        assert_batch_ok(batch)
    elif outcome == "victims":
        for case in batch["victims"]:
            assert victim_state(batch, case) in ("S", "R"), explain(batch, case)
    elif outcome == "survivors":
        assert report["survivors"] == {}, explain(batch, "proc_daemon_survives")
    elif outcome == "marker":
        assert not batch["marker"].exists(), explain(batch, "fd_spare_socket_escape")
    elif outcome == "fd_inventory":
        assert checks_of(batch, "fd_inventory")["add"]["status"] == "pass", explain(batch, "fd_inventory")
    elif outcome == "cgroup":
        if layer == "pids-cgroup":
            pytest.skip("the layer switched off is the one that case attacks")
        assert checks_of(batch, "cg_escape_cgroup")["add"]["status"] == "pass", explain(batch, "cg_escape_cgroup")
    elif outcome == "network":
        assert batch["net"]["tcp"] == 0 and batch["net"]["abstract"] == 0
        for case in ("net_tcp_loopback", "net_abstract_socket"):
            assert checks_of(batch, case)["add"]["status"] == "pass", explain(batch, case)
    elif outcome == "secret":
        path = batch["secrets"]["tensor"]
        assert path.stat().st_atime_ns == batch["atimes"][path], explain(batch, "reply_reads_secret_tensor")
    elif outcome == "proc_mem":
        assert checks_of(batch, "proc_mem_of_victim")["add"]["status"] == "pass", explain(batch, "proc_mem_of_victim")
    elif outcome == "hostname":
        if layer == "no-capabilities":
            pytest.skip("the layer switched off is the one that case attacks")
        assert report["hostname"] != batch["hostname"], explain(batch, "cap_sethostname")
        assert checks_of(batch, "cap_sethostname")["add"]["status"] == "pass"
    elif outcome == "ipc":
        if layer == "ipc-namespace":
            pytest.skip("the layer switched off is the one that case attacks")
        assert checks_of(batch, "ipc_b_reads_leftovers")["add"]["status"] == "pass", explain(batch, "ipc_b_reads_leftovers")
        assert not set(report["shm"]) & set(IPC_KEYS)
