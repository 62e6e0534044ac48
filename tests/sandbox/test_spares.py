"""What a spare child prepares before its request comes. The layers every request gets alike (``layers.ahead``):
its own mount, network and IPC namespaces and the Landlock ruleset of the system's paths; what a child reports
is what it has, and a request that switches a namespace off is never given such a spare. Its cgroups, made
with the latest request's limits: a request with other limits still runs under its own."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from grader.sandbox.layers import landlock
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import Probe, SandboxSettings, Step

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="a spare applies layers ahead only as root")
NAMESPACES = ("net", "ipc", "mnt")
PROBES = [Probe(id="spaces", timeout=5, steps=[Step(call="spaces", observe="out")])]


def student(tmp_path: Path) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text("import os\ndef spaces():\n"
                                 f"    return ' '.join(os.readlink('/proc/self/ns/' + k) for k in {NAMESPACES!r})\n")
    return folder


def host_namespaces() -> list[str]:
    return [os.readlink(f"/proc/self/ns/{kind}") for kind in NAMESPACES]


@root_only
def test_a_spare_runs_the_request_in_namespaces_of_its_own_and_says_so(tmp_path):
    folder = student(tmp_path)
    with ForkServerLauncher(1) as launcher:
        first, second = (run_file("q.py", folder, PROBES, launcher=launcher) for _ in range(2))
    for obs in (first, second):
        assert obs.probes["spaces"].status == "ok"
        child = obs.probes["spaces"].values["out"].text.split()
        assert all(mine != theirs for mine, theirs in zip(child, host_namespaces()))
        assert {"network-namespace", "ipc-namespace", "tmpfs-quota"} <= set(obs.imported.sandbox)
        assert any(layer.startswith("landlock-fs") for layer in obs.imported.sandbox)
    assert first.probes["spaces"].values["out"].text != second.probes["spaces"].values["out"].text  # one child each


def spares_of(zygote_pid: int) -> list[int]:
    """The fork server's live children: the spares waiting for a request (every child handed out here has ended,
    maybe not yet reaped)."""
    children = []
    for task in os.listdir(f"/proc/{zygote_pid}/task"):
        children += [int(pid) for pid in Path(f"/proc/{zygote_pid}/task/{task}/children").read_text().split()]
    return [pid for pid in children if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]


@root_only
def test_spares_have_their_namespaces_before_any_request(tmp_path):
    folder = student(tmp_path)
    with ForkServerLauncher(1) as launcher:
        run_file("q.py", folder, PROBES, launcher=launcher)
        (zygote,) = launcher._all
        for _ in range(100):  # the spare forked after the hand-out is applying its layers
            spares = spares_of(zygote.proc.pid)
            spaces = [[os.readlink(f"/proc/{pid}/ns/{kind}") for kind in NAMESPACES] for pid in spares]
            if len(spares) >= 2 and all(all(mine != theirs for mine, theirs in zip(space, host_namespaces()))
                                        for space in spaces):
                break
            time.sleep(0.05)
        assert len(spares) >= 2
        for space in spaces:
            assert all(mine != theirs for mine, theirs in zip(space, host_namespaces()))


@root_only
@pytest.mark.parametrize("layer, kind", [("network-namespace", "net"), ("ipc-namespace", "ipc")])
def test_a_request_that_switches_a_namespace_off_gets_a_child_without_it(tmp_path, layer, kind):
    folder = student(tmp_path)
    with ForkServerLauncher(1) as launcher:
        run_file("q.py", folder, PROBES, launcher=launcher)  # spares are waiting, their namespaces made
        obs = run_file("q.py", folder, PROBES, launcher=launcher, sandbox=SandboxSettings(disable=[layer]))
    child = dict(zip(NAMESPACES, obs.probes["spaces"].values["out"].text.split()))
    host = dict(zip(NAMESPACES, host_namespaces()))
    assert child[kind] == host[kind]
    assert f"{layer} (switched off)" in obs.imported.sandbox_missing and layer not in obs.imported.sandbox
    other = "ipc" if kind == "net" else "net"
    assert child[other] != host[other]


@pytest.mark.skipif(landlock.abi_version() < 1, reason="Landlock is not available on this kernel")
def test_a_ruleset_prepared_early_confines_as_one_made_at_once(tmp_path):
    """Read-only rules added while preparing and when enforcing both hold; nothing else can be read."""
    early, late, work, elsewhere = (tmp_path / name for name in ("early", "late", "work", "elsewhere"))
    for folder in (early, late, work, elsewhere):
        folder.mkdir()
        (folder / "f.txt").write_text(folder.name)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ruleset = landlock.prepare([str(early)])
            enforced = landlock.enforce(ruleset, [str(late)], [str(work)])
            closed = ruleset.fd == -1
            readable = [(folder / "f.txt").read_text() for folder in (early, late, work)]
            (work / "g.txt").write_text("written")
            try:
                (elsewhere / "f.txt").read_text()
                refused = False
            except PermissionError:
                refused = True
            try:
                (late / "g.txt").write_text("no")
                read_only = False
            except PermissionError:
                read_only = True
            code = 0 if (closed and readable == ["early", "late", "work"] and refused and read_only
                         and enforced[0].startswith("landlock-fs")) else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert (work / "g.txt").read_text() == "written" and not (late / "g.txt").exists()


@root_only
def test_each_request_runs_under_its_own_memory_limit_whatever_the_spare_was_made_with(tmp_path):
    """Spares are made with the latest request's limits and changed only when a request's differ: a request of
    the default 4 GiB after two of 256 MiB, then one of 256 MiB again, each holds 400 MB under its own limit."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text("import torch\ndef hold():\n    block = torch.ones(100 * 2**20)\n"
                                 "    return float(block[-1])\n")
    probes = [Probe(id="hold", timeout=20, steps=[Step(call="hold", observe="out")])]
    small = SandboxSettings(memory_mb=256, disable=["rlimits"])
    default = SandboxSettings(disable=["rlimits"])
    with ForkServerLauncher(1) as launcher:
        outcomes = [run_file("q.py", folder, probes, launcher=launcher, sandbox=settings).probes["hold"]
                    for settings in (small, small, default, small)]
    assert [o.status for o in outcomes] == ["crashed", "crashed", "ok", "crashed"], [o.error for o in outcomes]
    assert all("memory limit of 256 MB" in o.detail for o in outcomes if o.status == "crashed"), outcomes


def test_a_spare_killed_while_it_waits_is_passed_over(tmp_path):
    """A spare can die before its request comes (the kernel's OOM killer, an operator's kill): the request goes to
    the next spare, or to a child forked for it, and the fork server serves on; whether it has seen the spare end
    (reaped it) or not yet."""
    import signal
    import threading

    from tests.sandbox.test_fork_costs import _settled_children

    def kill_every_spare(spares: list[str]) -> list[str]:
        assert len(spares) >= 2
        for pid in spares:
            os.kill(int(pid), signal.SIGKILL)
        for pid in spares:  # dead: a zombie until its parent reaps it
            while Path(f"/proc/{pid}").exists() and \
                    Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                time.sleep(0.01)
        return spares

    folder = student(tmp_path)
    with ForkServerLauncher(1) as launcher:
        zygote = launcher._ready_zygote().proc.pid
        run_file("q.py", folder, PROBES, launcher=launcher)  # its probes rehearsed, the spares made after
        spares = _settled_children(zygote)
        os.kill(zygote, signal.SIGSTOP)  # the spares' ends not yet seen when the request comes
        kill_every_spare(spares)
        threading.Timer(0.3, os.kill, (zygote, signal.SIGCONT)).start()
        observed = [run_file("q.py", folder, PROBES, launcher=launcher)]
        dead = kill_every_spare(_settled_children(zygote))
        while set(dead) & set(Path(f"/proc/{zygote}/task/{zygote}/children").read_text().split()):
            time.sleep(0.01)  # reaped
        observed += [run_file("q.py", folder, PROBES, launcher=launcher) for _ in range(2)]
        assert launcher._ready_zygote().proc.pid == zygote  # the same fork server
    assert all(obs.probes["spaces"].status == "ok" for obs in observed), [(o.imported, o.probes["spaces"].detail)
                                                                        for o in observed]


@root_only
def test_a_request_whose_memory_limit_a_spare_already_exceeds_gets_another_child(monkeypatch):
    """The kernel refuses to lower a group's memory limit below what it already holds; the request must not run
    under the spare's larger limit, so the fork server lets that spare go and forks a child for it."""
    import socket

    from grader.sandbox.parent import zygote

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    children = zygote._Children(ours, None)
    try:
        children.fork_spare()
        spare = children.spares[0]
        monkeypatch.setattr(zygote.cgroups, "set_limits", lambda groups, pids, memory: memory != 16)
        read, write = os.pipe()
        pid = children.hand_out(b"{}", [write], (64, 16), True)  # one descriptor: the child leaves at once
        os.close(read)
        os.close(write)
        assert pid != spare.pid and spare not in children.spares and spare.sock.fileno() == -1
        assert pid in children.handed
    finally:
        children.stop_all()
        ours.close()
        theirs.close()
