"""Grading red-team cases safely: one batch as PID 1 of fresh PID, IPC and UTS namespaces inside a
memory cgroup of its own, under a deadline, with what it left behind (processes, IPC objects, keys,
listeners) reported on the way out.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.hostile.redteam.attacks import (EXTRAS, MQ_NAME, RENAMED, REDTEAM, SECRET_JSON_MARKER, SECRET_PY,
                                           SECRET_VALUES, TOOLKIT)

# PID 1 of a batch's namespaces: starts the victims, grades, then reports what the batch left behind.
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


# --- a memory cgroup, templated cases, one batch in fresh namespaces -------------------------

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
    """A TCP, a UDP and an abstract Unix socket on this host, for cases that try to reach out."""
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
    """How many connections (or datagrams) reached ``sock``."""
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
    """The red-team course (rubric and reference) copied under ``root``."""
    course = root / "course"
    shutil.copytree(REDTEAM / "rubrics", course / "rubrics")
    shutil.copytree(REDTEAM / "reference", course / "reference")
    return course


def reference_cache_bin(cache: Path, course: Path) -> Path:
    """Where the batch will cache the reference's tensors (the redteam key, on the CPU)."""
    from grader.assignments import find_assignment
    from grader.plan import GradingPlan
    from grader.reference_cache import reference_key

    cwd = os.getcwd()
    os.chdir(course)
    try:
        assignment = find_assignment("redteam")
        return cache / "redteam" / reference_key(GradingPlan.build(assignment)) / "question1.bin"
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
    """A graded case's checks by id."""
    assert case in batch["results"], f"{case} was not graded: {sorted(batch['results'])}"
    return {c["id"]: c for c in batch["results"][case]["questions"][0]["checks"]}


def explain(batch: dict, case: str) -> str:
    """What the case printed (its `[redteam]` lines say what the attack managed)."""
    result = batch["results"].get(case)
    output = result["questions"][0]["output"] if result else "(not graded)"
    lines = [line for line in output.splitlines() if "[redteam]" in line]
    return f"{case}: {' | '.join(lines)[:1500]}"


def victim_state(batch: dict, case: str) -> str:
    """The state letter of the victim process ``case`` aimed at, as the batch's PID 1 last saw it."""
    pid = batch["victims"][case]
    assert str(pid) in batch["report"]["victims"], f"victim pids were {batch['report']['victims']}, expected {pid}"
    return batch["report"]["victims"][str(pid)]


def assert_batch_ok(batch: dict) -> None:
    """The batch exited 0 with every case graded."""
    report = batch["report"]
    assert report["code"] == 0, (report["code"], batch["proc"].stdout[-2000:], batch["proc"].stderr[-2000:])
    assert set(batch["results"]) == set(batch["cases"])


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
