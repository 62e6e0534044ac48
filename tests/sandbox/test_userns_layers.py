"""An ordinary user's grader builds root's layers inside an unprivileged user namespace, with both launchers.

The grader runs as ``nobody``; the student's file (``userns_student.py``) tries each way out and reports
what happened: every layer must be in force, and the child must not be able to use the capabilities it
held in its namespace (nested namespaces, mounts, ``setns``, its uid map) once its own code runs.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.users import as_user, give_to_user, python_for_user

HERE = Path(__file__).parent
SETTINGS = {"disk_mb": 8, "max_files": 300, "max_processes": 16}
BUSY = 24  # sleeping processes of the same user outside the sandbox: more than the child's process limit

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")


def _user_namespaces_work() -> bool:
    done = subprocess.run(as_user(["unshare", "-Urnp", "--fork", "true"]), check=False, capture_output=True)
    return done.returncode == 0


@pytest.fixture(scope="module")
def user_folder() -> Iterator[tuple[Path, str]]:
    """A folder owned by the test user, and a Python that user can run with this environment's packages."""
    base = Path(tempfile.mkdtemp(prefix="grader-userns-"))
    base.chmod(0o755)
    try:
        python, why = python_for_user(base)
        if python is None:
            pytest.skip(why)
        if not _user_namespaces_work():
            pytest.skip("this kernel does not let ordinary users create user namespaces")
        yield base, python
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)


def _daemons() -> list[int]:
    """The daemons ``userns_student.py`` left running."""
    found = subprocess.run(["pgrep", "-f", "^sleep 61.25$"], capture_output=True, text=True, check=False)
    return [int(pid) for pid in found.stdout.split()]


def grade_as_user(folder: Path, python: str, launcher: str, sandbox: dict, refuse_userns: bool = False) -> dict:
    """Grade ``userns_student.py`` as the test user (in a user namespace that may create no other, with
    ``refuse_userns``): what its child reported, the layers, and the datagram it sent the host, if one came."""
    folder = Path(tempfile.mkdtemp(prefix=f"{launcher}-", dir=folder))
    listener = socket.create_server(("127.0.0.1", 0))
    datagrams = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    datagrams.bind(listener.getsockname())
    datagrams.setblocking(False)
    outside = subprocess.Popen(as_user(["sleep", "60"]))
    try:
        student = folder / "student"
        student.mkdir(parents=True, exist_ok=True)
        (folder / "outside").mkdir(exist_ok=True)
        code = (HERE / "userns_student.py").read_text().replace(
            'PORT, OUTSIDE_PID, OUTSIDE_DIR = 0, 0, "/nonexistent"',
            f"PORT, OUTSIDE_PID, OUTSIDE_DIR = {listener.getsockname()[1]}, {outside.pid}, "
            f"{str(folder / 'outside')!r}")
        (student / "q.py").write_text(code)
        give_to_user(folder)
        command = [python, str(HERE / "userns_driver.py"), str(folder), launcher, json.dumps(sandbox), str(BUSY)]
        command = as_user([python, str(HERE / "refuse_userns.py"), *command] if refuse_userns else command)
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=folder)
    finally:
        outside.kill()
        outside.wait()
        listener.close()
    try:
        arrived = datagrams.recv(100)
    except BlockingIOError:
        arrived = b""
    datagrams.close()
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    report["udp_arrived"] = arrived
    assert report["facts"] is not None, report
    assert not (folder / "outside" / "escaped").exists()
    return report


@pytest.mark.parametrize("launcher", ["fork-server", "spawn"])
def test_an_ordinary_users_child_gets_every_namespace_layer(user_folder, launcher):
    report = grade_as_user(*user_folder, launcher, SETTINGS)
    facts = report["facts"]
    assert {"user-namespace", "tmpfs-quota", "network-namespace", "ipc-namespace", "pid-namespace", "rlimits",
            "no-capabilities", "seccomp"} <= set(report["sandbox"]), report["missing"]
    assert any("pids-cgroup (needs root; RLIMIT_NPROC" in m for m in report["missing"]), report["missing"]
    assert facts["uid"] == 65534  # the user's own uid, mapped to itself
    assert facts["udp"] == "Network is unreachable" and facts["interfaces"] == ["lo"]  # Landlock lets UDP through
    assert report["udp_arrived"] == b""
    assert facts["tcp"] in ("Permission denied", "Network is unreachable")  # Landlock (ABI 4+) refuses it first
    assert (facts["pid"], facts["ppid"]) == (1, 0)
    assert facts["signal_outside"] == "No such process"  # the user's own process outside cannot be named
    assert facts["capabilities"] == 0 and facts["bounding_sys_admin"] == 0
    assert facts["disk_bytes"] == SETTINGS["disk_mb"] << 20
    written, why = facts["big_files"]
    assert why == "No space left on device" and written < SETTINGS["disk_mb"]
    made, why = facts["small_files"]
    assert why == "No space left on device" and made < SETTINGS["max_files"]
    assert facts["write_outside"] == "Permission denied"
    assert 5 <= facts["forks"] < SETTINGS["max_processes"]  # the user's BUSY processes outside do not count
    assert _daemons() == []  # it died with the PID namespace's init


def test_the_namespaces_capabilities_cannot_be_taken_back(user_folder):
    facts = grade_as_user(*user_folder, "fork-server", SETTINGS)["facts"]
    assert facts["mount"] == facts["unshare_mount"] == facts["setns"] == "Operation not permitted"
    assert facts["unshare_user"] == "Operation not permitted"
    assert facts["clone3"] == "Function not implemented"
    assert facts["uid_map"] in ("Permission denied", "Operation not permitted")


def test_without_seccomp_a_nested_user_namespace_is_still_refused(user_folder):
    """The namespace's own limit of nested user namespaces is 0: no second namespace hands capabilities back."""
    report = grade_as_user(*user_folder, "fork-server", {**SETTINGS, "disable": ["seccomp"]})
    assert "seccomp (switched off)" in report["missing"]
    assert report["facts"]["unshare_user"] == "No space left on device"
    assert report["facts"]["capabilities"] == 0


@pytest.mark.parametrize("launcher", ["fork-server", "spawn"])
def test_where_user_namespaces_are_disabled_the_layers_are_missing_and_say_why(user_folder, launcher):
    report = grade_as_user(*user_folder, launcher, SETTINGS, refuse_userns=True)
    assert report["missing"][:2] == [
        "namespaces and cgroups (not running as root, and unprivileged user namespaces are disabled on this machine "
        "(sysctl user.max_user_namespaces = 0))",
        "RLIMIT_NPROC (outside a user namespace it would count every process of this user)"]
    assert {"rlimits", "seccomp"} <= set(report["sandbox"]) and "pid-namespace" not in report["sandbox"]
    assert report["facts"]["pid"] != 1 and report["udp_arrived"] == b"escaped"
    assert report["facts"]["forks"] > SETTINGS["max_processes"]  # the user's other processes did not stop it
    for daemon in _daemons():  # without a PID namespace it may outlive the child
        os.kill(daemon, signal.SIGKILL)
