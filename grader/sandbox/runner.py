"""The parent side of a child: launch, watch deadlines, collect replies, retry after a failure.

A hang, crash or exit inside one probe costs that probe only: the remaining probes run again
in a fresh child.
"""
from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.observe import (ErrorInfo, FileObservations, ImportInfo, Observation, decode_value,
                            read_reply)
from grader.sandbox import cgroups
from grader.sandbox.output import CappedOutput, drain
from grader.sandbox.protocol import ChildRequest, Probe, SandboxSettings

ENV_ALLOW = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TORCH_HOME", "CUDA_VISIBLE_DEVICES")


def child_environment(home: str) -> dict[str, str]:
    """The scrubbed environment a child sees: an allow-list plus headless, single-thread settings."""
    env = {k: v for k, v in os.environ.items() if k in ENV_ALLOW}
    env.update(HOME=home, TMPDIR=home, MPLBACKEND="Agg", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


class SpawnLauncher:
    """Starts each child as a fresh ``python -m grader.sandbox.child`` in its own process group."""

    name = "spawn"
    layers = ("process-group", "wall-clock-timeout", "private-copy", "scrubbed-environment")
    provides_cgroups = False  # the runner creates a pids group per child

    def __enter__(self) -> "SpawnLauncher":
        return self

    def __exit__(self, *exc) -> None:
        cgroups.sweep(wait=5.0)

    def start(self, request_file: Path, control_fd: int, output_fd: int) -> subprocess.Popen:
        """Start one child; its stdout and stderr both go to the pipe ``output_fd``."""
        return subprocess.Popen(
            [sys.executable, "-m", "grader.sandbox.child", str(request_file), str(control_fd)],
            pass_fds=(control_fd,), stdin=subprocess.DEVNULL, stdout=output_fd, stderr=output_fd,
            start_new_session=True, env=child_environment(str(request_file.parent)),
        )


def describe_exit(returncode: int | None) -> str:
    """A sentence about how a child ended: ``killed by signal SIGSEGV (segmentation fault)``."""
    if returncode is None:
        return "did not exit"
    if returncode < 0:
        sig = signal.Signals(-returncode)
        return f"was killed by signal {sig.name} ({signal.strsignal(sig)})"
    return f"exited with status {returncode} before finishing"


@dataclass
class _ChildRun:
    """The events of one child, as read from its control pipe."""

    init_pid: int | None = None
    imported: bool = False
    finished: list[str] = field(default_factory=list)
    current: str | None = None
    ended: bool = False
    closed: bool = False
    timed_out: bool = False
    returncode: int | None = None


def _watch(proc: subprocess.Popen, read_fd: int, probes: list[Probe], import_timeout: float,
           output_fd: int, output: CappedOutput) -> _ChildRun:
    run = _ChildRun()
    timeouts = {p.id: p.timeout for p in probes}
    deadline = time.monotonic() + import_timeout
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ)
    selector.register(output_fd, selectors.EVENT_READ)
    buffer = b""
    while not run.ended:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            run.timed_out = True
            break
        events = selector.select(timeout=remaining)
        if any(key.fd == output_fd for key, _ in events):
            printed = os.read(output_fd, 1 << 20)
            if printed:
                output.feed(printed)
            else:
                selector.unregister(output_fd)
        if not any(key.fd == read_fd for key, _ in events):
            continue
        chunk = os.read(read_fd, 4096)
        if not chunk:
            run.closed = True
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            word, _, arg = line.decode(errors="replace").partition(" ")
            if word == "init" and run.init_pid is None and not run.imported and arg.isdigit():
                run.init_pid = int(arg)
            elif word == "imported":
                run.imported = True
            elif word == "start" and arg in timeouts:
                run.current = arg
                deadline = time.monotonic() + timeouts[arg]
            elif word == "done" and arg == run.current:
                run.finished.append(arg)
                run.current = None
            elif word == "end":
                run.ended = True
    selector.close()
    if run.init_pid and not run.closed:
        _kill_pid(run.init_pid)
    _kill_group(proc)
    drain(output_fd, output)
    if run.ended and hasattr(proc, "detach"):
        proc.detach()
    else:
        run.returncode = proc.wait()
    return run


def _kill_pid(pid: int) -> None:
    """Kill the init of the child's PID namespace: the kernel then kills everything inside it.

    Only called while the control pipe is still open, i.e. while the child that would reap
    this init is alive, so the pid cannot have been reused.
    """
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _failed(probe_id: str, status: str, detail: str) -> Observation:
    return Observation(probe_id=probe_id, status=status, detail=detail)


def _load_probe(reply_dir: Path, probe_id: str) -> Observation:
    try:
        payload, tensors = read_reply(reply_dir / f"probe-{probe_id}")
        values = {k: decode_value(v, tensors) for k, v in payload.pop("values", {}).items()}
        return Observation.model_validate({**payload, "values": values, "probe_id": probe_id})
    except Exception as exc:  # noqa: BLE001 - a malformed reply is a failed probe, not a crash
        return _failed(probe_id, "crashed", f"the child sent a malformed reply ({type(exc).__name__})")


def _load_import(reply_dir: Path) -> ImportInfo:
    try:
        payload, _ = read_reply(reply_dir / "import")
        return ImportInfo.model_validate(payload)
    except Exception as exc:  # noqa: BLE001
        return ImportInfo(status="crashed", detail=f"the child sent a malformed import reply ({type(exc).__name__})")


def run_file(module_file: str, submission_dir: Path, probes: list[Probe], *, device: str = "cpu",
             seed: int = 0, import_timeout: float = 20.0, launcher=None,
             sandbox: SandboxSettings | None = None) -> FileObservations:
    """Run ``probes`` against ``submission_dir/module_file`` in sandboxed children."""
    launcher = launcher or SpawnLauncher()
    if not (submission_dir / module_file).is_file():
        present = sorted(p.name for p in submission_dir.iterdir()) if submission_dir.is_dir() else []
        detail = f"{module_file} is not in the submission (it holds: {', '.join(present) or 'nothing'})"
        return FileObservations(module_file=module_file, imported=ImportInfo(status="missing", detail=detail))
    base = Path(tempfile.mkdtemp(prefix="grade-"))
    try:
        work = base / "work"
        shutil.copytree(submission_dir, work, symlinks=True)
        budget = int(import_timeout + sum(p.timeout for p in probes)) + 5
        settings = (sandbox or SandboxSettings()).model_copy(update={"cpu_seconds": budget})
        return _run_children(module_file, work, base, probes, device, seed, import_timeout, launcher, settings)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _run_children(module_file, work, base, probes, device, seed, import_timeout, launcher,
                  settings: SandboxSettings) -> FileObservations:
    observations: dict[str, Observation] = {}
    imported: ImportInfo | None = None
    output = CappedOutput()
    pending = list(probes)
    attempt = 0
    while imported is None or pending:
        attempt += 1
        reply_dir = base / f"reply-{attempt}"
        reply_dir.mkdir()
        wants_group = "pids-cgroup" not in settings.disable and not launcher.provides_cgroups
        group = cgroups.create(settings.max_processes) if wants_group else None
        request = ChildRequest(module_file=module_file, workdir=str(work), reply_dir=str(reply_dir),
                               probes=pending, device=device, import_timeout=import_timeout, seed=seed,
                               sandbox=settings.model_copy(update={"cgroup": str(group) if group else None}))
        request_file = base / f"request-{attempt}.json"
        request_file.write_text(request.model_dump_json())
        read_fd, write_fd = os.pipe()
        out_read, out_write = os.pipe()
        try:
            proc = launcher.start(request_file, write_fd, out_write)
        finally:
            os.close(write_fd)
            os.close(out_write)
        try:
            run = _watch(proc, read_fd, pending, import_timeout, out_read, output)
        finally:
            os.close(read_fd)
            os.close(out_read)
            if group:
                cgroups.remove(group)
        if not run.imported:
            if imported is None:
                imported = _import_failure(run, import_timeout)
            for probe in pending:
                observations[probe.id] = _failed(probe.id, "not_run", "the file could not be imported again")
            break
        if imported is None:
            imported = _load_import(reply_dir)
        if imported.status != "ok":
            break
        for probe_id in run.finished:
            observations[probe_id] = _load_probe(reply_dir, probe_id)
        if run.current is not None:
            limit = next(p.timeout for p in pending if p.id == run.current)
            status, detail = (("timeout", f"did not finish within {limit:g} s and was stopped") if run.timed_out
                              else ("crashed", f"the process {describe_exit(run.returncode)}"))
            observations[run.current] = _failed(run.current, status, detail)
        done = set(observations)
        if not run.ended and run.current is None and not run.timed_out:
            nxt = next((p for p in pending if p.id not in done), None)
            if nxt is not None:
                observations[nxt.id] = _failed(nxt.id, "crashed", f"the process {describe_exit(run.returncode)}")
                done.add(nxt.id)
        pending = [p for p in pending if p.id not in done]
    return FileObservations(module_file=module_file, imported=imported, probes=observations, stdout=output.text())


def _import_failure(run: _ChildRun, import_timeout: float) -> ImportInfo:
    if run.timed_out:
        return ImportInfo(status="timeout", detail=f"importing the file did not finish within {import_timeout:g} s")
    return ImportInfo(status="crashed", detail=f"while importing the file, the process {describe_exit(run.returncode)}",
                      error=ErrorInfo(type="Crash", message=describe_exit(run.returncode)))
