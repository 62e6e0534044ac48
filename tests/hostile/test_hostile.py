"""Hostile submissions: each case does one bad thing; the batch grades them all and goes on.

The whole batch runs inside a PID namespace of its own (``unshare --pid --fork --kill-child``)
under a time limit, so a failing sandbox cannot take the test machine down with it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HOSTILE = Path(__file__).parent
TIMEOUT = re.compile("did not finish within")
DENIED = re.compile("Permission denied")

# case -> (status of the `add` check, pattern its message must match); None: anything goes, as
# long as the grader survived and `double` still scored.
PER_CALL = {
    "well_behaved": ("pass", None),
    "loop_in_call": ("error", TIMEOUT),
    "sigterm_ignored": ("error", TIMEOUT),
    "clock_patched": ("error", TIMEOUT),
    "memory_bomb_python": ("error", re.compile("MemoryError|memory limit of")),
    "memory_bomb_torch": ("error", re.compile("RuntimeError.*(allocate|memory)", re.I)),
    "huge_tensor_returned": ("fail", re.compile("over the limit")),
    "disk_fill": ("error", re.compile("File too large|No space left")),
    "many_small_files": ("error", re.compile("No space left on device")),
    "fork_bomb": ("error", re.compile("BlockingIOError|Resource temporarily unavailable|did not finish")),
    "thread_bomb": ("error", re.compile("can't start new thread|RuntimeError")),
    "daemon_escapes_group": ("pass", None),
    "sys_exit_in_call": ("error", re.compile(r"sys\.exit\(0\)")),
    "os_exit_in_call": ("error", re.compile("exited with status 0 before finishing")),
    "unprintable_exception": ("error", re.compile("Sneaky.*could not be printed")),
    "segfault": ("error", re.compile("SIGSEGV")),
    "c_stack_overflow": ("error", re.compile("SIGSEGV|RecursionError|MemoryError")),
    "reads_stdin": ("error", re.compile("EOFError")),
    "kills_parent": (None, None),
    "kills_own_group": (None, None),
    "kills_everything": (None, None),
    "kills_grader_by_pid": ("error", re.compile("ProcessLookupError")),
    "reads_other_student": ("error", DENIED),
    "reads_reference": ("error", DENIED),
    "reads_rubric": ("error", DENIED),
    "lists_output_folder": ("error", DENIED),
    "reads_grader_cmdline": ("error", DENIED),
    "reads_grader_environ": ("error", DENIED),
    "reads_environment": ("pass", None),
    "follows_symlink_out": ("error", DENIED),
    "writes_outside": ("error", DENIED),
    "connects_loopback": ("error", re.compile("unreachable|denied", re.I)),
    "connects_outside": ("error", re.compile("unreachable|denied", re.I)),
    "stdout_flood": ("pass", None),
    "patches_comparisons": ("fail", re.compile("values differ")),
    "tensor_subclass_lies": ("fail", re.compile("Liar")),
    "reduce_runs_code": ("fail", re.compile("Payload")),
    "returns_nan": ("fail", re.compile("NaN at")),
    "returns_inf": ("fail", re.compile("inf")),
    "returns_numpy": ("fail", re.compile("numpy array")),
    "returns_list": ("fail", re.compile("returned a list")),
    "wrong_device": ("fail", re.compile("expected a torch.Tensor")),
}
# Cases that fail at import: both checks carry the same error.
AT_IMPORT = {
    "loop_at_import": re.compile("did not finish within 6 s"),
    "sleep_at_import": re.compile("did not finish within 6 s"),
    "sys_exit_at_import": re.compile(r"sys\.exit\(0\)"),
    "os_exit_at_import": re.compile("exited with status 0 before finishing"),
    "forges_own_result": DENIED,
    "writes_submission": DENIED,
}

WRAPPER = """
import json, os, sys
from grader.cli import main
code = main(sys.argv[2:])
me = int(os.readlink('/proc/self'))  # our pid as /proc shows it, even inside a PID namespace

def descends_from_us(pid):
    while pid > 1:
        try:
            pid = int(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == me:
            return True
    return False

survivors = []
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            text = open(f'/proc/{pid}/cgroup').read()
        except OSError:
            continue
        if 'torch-grader' in text and descends_from_us(int(pid)):
            survivors.append(int(pid))
json.dump({'code': code, 'survivors': survivors}, open(sys.argv[1], 'w'))
"""


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    course, subs, out = root / "course", root / "subs", root / "out"
    shutil.copytree(HOSTILE / "rubrics", course / "rubrics")
    shutil.copytree(HOSTILE / "reference", course / "reference")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    values = {"SUBMISSIONS": str(subs), "REFERENCE": str(course / "reference" / "hostile"),
              "RUBRIC": str(course / "rubrics" / "hostile.yaml"), "OUT": str(out), "GRADER_PID": str(os.getpid()),
              "PORT": str(listener.getsockname()[1]), "MARKER": str(root / "unpickled-marker")}
    for case in sorted((HOSTILE / "cases").iterdir()):
        text = (case / "question1.py").read_text()
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        (subs / case.name).mkdir(parents=True)
        (subs / case.name / "question1.py").write_text(text)
    (subs / "follows_symlink_out" / "leak.py").symlink_to(course / "reference" / "hostile" / "question1.py")
    (out / "results").mkdir(parents=True)
    before = {"course": digest(course), "subs": digest(subs)}
    report = root / "report.json"
    command = [sys.executable, "-c", WRAPPER, str(report), "batch", "hostile", str(subs), "--out", str(out), "-j", "2"]
    if shutil.which("unshare") and os.geteuid() == 0:
        command = ["unshare", "--pid", "--fork", "--kill-child", *command]
    env = {**os.environ, "GRADER_TEST_SECRET": "do-not-leak"}
    started = time.monotonic()
    proc = subprocess.run(command, cwd=course, env=env, timeout=900, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    listener.close()
    assert report.exists(), f"the grader died: {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    return {"report": json.loads(report.read_text()), "results": results, "before": before, "elapsed": elapsed,
            "after": {"course": digest(course), "subs": digest(subs)}, "out": out, "root": root, "proc": proc}


def checks_of(result: dict) -> dict[str, dict]:
    return {c["id"]: c for c in result["questions"][0]["checks"]}


def test_the_batch_survives_and_grades_every_case(hostile_batch):
    report = hostile_batch["report"]
    assert report["code"] == 0, hostile_batch["proc"].stdout[-3000:]
    cases = {p.name for p in (HOSTILE / "cases").iterdir()}
    assert len(cases) >= 30
    assert set(hostile_batch["results"]) == cases
    assert set(PER_CALL) | set(AT_IMPORT) == cases


def test_no_process_of_any_submission_survives(hostile_batch):
    assert hostile_batch["report"]["survivors"] == []


@pytest.mark.parametrize("case", sorted(PER_CALL))
def test_per_call_case(hostile_batch, case):
    checks = checks_of(hostile_batch["results"][case])
    status, pattern = PER_CALL[case]
    add = checks["add"]
    if status is not None:
        assert add["status"] == status, add["message"]
    if pattern is not None:
        assert pattern.search(add["message"]), add["message"]
    assert checks["double"]["status"] == "pass", checks["double"]["message"]
    assert add["points"] == (1 if add["status"] == "pass" else 0)


@pytest.mark.parametrize("case", sorted(AT_IMPORT))
def test_import_case(hostile_batch, case):
    checks = checks_of(hostile_batch["results"][case])
    for check in checks.values():
        assert check["status"] == "error" and check["points"] == 0
        assert AT_IMPORT[case].search(check["message"]), check["message"]


def test_every_layer_was_active(hostile_batch):
    layers = hostile_batch["results"]["well_behaved"]["sandbox"]
    if os.geteuid() != 0:
        pytest.skip("namespaces and cgroups need root")
    for layer in ("tmpfs-quota", "network-namespace", "pid-namespace", "pids-cgroup", "rlimits", "no-capabilities"):
        assert layer in layers
    assert any(layer.startswith("landlock-fs") for layer in layers)


def test_nothing_outside_the_sandbox_changed(hostile_batch):
    assert hostile_batch["before"] == hostile_batch["after"]
    assert not (hostile_batch["out"] / "results" / "victim.json").exists()
    assert hostile_batch["results"]["forges_own_result"]["total"] == 0
    assert not (hostile_batch["root"] / "unpickled-marker").exists()


def test_output_floods_stay_small(hostile_batch):
    report = hostile_batch["out"] / "reports" / "stdout_flood.html"
    assert report.stat().st_size < 200_000
    assert "bytes not kept" in hostile_batch["results"]["stdout_flood"]["questions"][0]["output"]


def test_secrets_do_not_reach_the_child(hostile_batch):
    assert checks_of(hostile_batch["results"]["reads_environment"])["add"]["status"] == "pass"
