"""The parent side of one question file: start children, watch them, retry after a failure.

A hang, crash or exit inside one probe costs that probe only: the remaining probes run again
in a fresh child, within the file's total time budget. A file's first child may be started early
(``start_early``), while the worker's previous file runs: it waits for the word before the import.
"""
from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from grader.observe import ErrorInfo, FileObservations, ImportInfo, Observation
from grader.scratch import make_folder, remove_folder, remove_folder_soon
from grader.sandbox.layers.working_copy import CopyFailed, copy_submission, open_source
from grader.sandbox.parent.launcher import ChildHandle, Launcher, SpawnLauncher
from grader.sandbox.parent.output import CappedOutput
from grader.sandbox.protocol import ChildRequest, Probe, SandboxSettings
from grader.sandbox.parent.watch import ChildRun, FileClock, OnReply, watch

PAGE = 4096


def describe_exit(returncode: int | None) -> str:
    """A sentence about how a child ended: ``killed by signal SIGSEGV (segmentation fault)``."""
    if returncode is None:
        return "did not exit"
    if returncode < 0:
        sig = signal.Signals(-returncode)
        return f"was killed by signal {sig.name} ({signal.strsignal(sig)})"
    return f"exited with status {returncode} before finishing"


def _how_it_ended(run: ChildRun, settings: SandboxSettings) -> str:
    if run.exit and run.exit.out_of_memory:  # the kernel's word first: a child killed mid-frame may look garbled
        return f"used more than its memory limit of {settings.memory_mb} MB (limits: memory_mb) and was stopped"
    if run.violation:
        return f"was stopped because it {run.violation}"
    return describe_exit(run.exit.returncode if run.exit else None)


def _too_big(folder: Path, settings: SandboxSettings) -> str:
    """Why ``folder`` cannot fit in the child's tmpfs, or '' when it fits."""
    if "tmpfs-quota" in settings.disable:
        return ""
    size, entries = 0, 0
    for _, dirs, files in os.walk(folder):
        entries += len(dirs) + len(files)
        for name in files:
            try:
                size += -(-os.lstat(os.path.join(_, name)).st_size // PAGE) * PAGE
            except OSError:
                continue
    if size > settings.disk_mb << 20 or entries >= settings.max_files:
        return (f"the submission ({entries:,} files, {size / 2**20:.0f} MB) does not fit in the sandbox's disk of "
                f"{settings.disk_mb} MB and {settings.max_files:,} files (limits: disk_mb, max_files), so it was not run")
    return ""


@dataclass
class EarlyChild:
    """A file's first child, handed its request before the file's turn (while the worker's previous file runs):
    it applies its layers, sets itself up and waits for the word (``go``) before it imports the student's file."""

    module_file: str
    request: ChildRequest
    base: Path
    handle: ChildHandle
    channel_r: int
    out_r: int
    go_w: int

    told: bool = False

    def go(self) -> None:
        """Let the child import the file and run its probes (once)."""
        if self.told:
            return
        self.told = True
        try:
            os.write(self.go_w, b"g")
        except OSError:
            pass  # the child is gone already: watching it says how
        os.close(self.go_w)

    def cancel(self) -> None:
        """The file is not run after all: the child leaves before any student code ran."""
        if not self.told:
            self.told = True
            os.close(self.go_w)
        self.handle.stop()
        self.handle.release()
        for fd in (self.channel_r, self.out_r):
            os.close(fd)
        remove_folder_soon(self.base)


def _request(module_file: str, submission_dir: Path, probes: list[Probe], device: str, seed: int,
             import_timeout: float, sandbox: SandboxSettings | None,
             keep_whole: bool) -> tuple[Path, ChildRequest] | FileObservations:
    """A new request folder and the request of the file's first child, or why the file is not run."""
    if not (submission_dir / module_file).is_file():
        present = sorted(p.name for p in submission_dir.iterdir()) if submission_dir.is_dir() else []
        detail = f"{module_file} is not in the submission (it holds: {', '.join(present) or 'nothing'})"
        return FileObservations(module_file=module_file, imported=ImportInfo(status="missing", detail=detail))
    settings = sandbox or SandboxSettings()
    try:
        refused = _too_big(submission_dir, settings)
    except RecursionError:
        refused = "the submission's folders are nested too deeply to be copied, so it was not run"
    if refused:
        return FileObservations(module_file=module_file, imported=ImportInfo(status="error", detail=refused))
    base = make_folder("grade-file-")  # the requests, and the working copy when the tmpfs is off
    seconds = FileClock.budget(import_timeout, probes)
    settings = settings.model_copy(update={"cpu_seconds": int(seconds) + 5})
    try:
        source = _readable_path(submission_dir, base)
    except CopyFailed as exc:
        remove_folder(base)
        detail = f"the submission could not be copied for the sandbox ({exc}), so it was not run"
        return FileObservations(module_file=module_file, imported=ImportInfo(status="error", detail=detail))
    return base, ChildRequest(module_file=module_file, source=source, workdir=str(base / "work"),
                              box=str(base / "box"), probes=probes, device=device, import_timeout=import_timeout,
                              seed=seed, keep_whole=keep_whole, sandbox=settings)


def start_early(module_file: str, submission_dir: Path, probes: list[Probe], *, launcher: Launcher,
                device: str = "cpu", seed: int = 0, import_timeout: float = 20.0,
                sandbox: SandboxSettings | None = None, keep_whole: bool = False) -> EarlyChild | None:
    """Hand the file's first child its request now, to wait for ``EarlyChild.go`` (then ``run_file(...,
    early=)``); None where the file would not be run (``run_file`` says why) or no child could be started."""
    made = _request(module_file, submission_dir, probes, device, seed, import_timeout, sandbox, keep_whole)
    if isinstance(made, FileObservations):
        return None
    base, request = made
    channel_r, channel_w = os.pipe()
    out_r, out_w = os.pipe()
    go_r, go_w = os.pipe()
    try:
        handle = launcher.start(request, base / "request-1.json", channel_w, out_w, go_r)
    except Exception:  # noqa: BLE001 - the file's turn starts a child the usual way, and reports what fails
        for fd in (channel_r, out_r, go_w):
            os.close(fd)
        remove_folder(base)
        return None
    finally:
        for fd in (channel_w, out_w, go_r):
            os.close(fd)
    return EarlyChild(module_file, request, base, handle, channel_r, out_r, go_w)


def run_file(module_file: str, submission_dir: Path, probes: list[Probe], *, device: str = "cpu",
             seed: int = 0, import_timeout: float = 20.0, launcher: Launcher | None = None,
             sandbox: SandboxSettings | None = None, keep_whole: bool = False,
             on_reply: OnReply | None = None, early: EarlyChild | None = None) -> FileObservations:
    """Run ``probes`` against ``submission_dir/module_file`` in sandboxed children.

    ``keep_whole`` is for the reference's own runs: its values come back whatever their size. ``on_reply``
    gets each probe's observation as its reply arrives. ``early``: the file's first child, started with
    ``start_early`` from the same arguments; the file's time starts now, when it is told to go.
    """
    launcher = launcher or SpawnLauncher()
    if early is not None and early.module_file != module_file:
        early.cancel()
        early = None
    made = (early.base, early.request) if early is not None else \
        _request(module_file, submission_dir, probes, device, seed, import_timeout, sandbox, keep_whole)
    if isinstance(made, FileObservations):
        return made
    base, request = made
    try:
        return _run_children(request, base, launcher, FileClock.start(import_timeout, probes), on_reply, early)
    finally:  # a working copy on disk (the tmpfs switched off) goes now; the requests alone go in the background
        (remove_folder if (base / "work").exists() else remove_folder_soon)(base)


def _readable_path(folder: Path, base: Path) -> str:
    """The folder's path for the child's request; a path that is not UTF-8 (a student's folder named in bytes
    that decode to nothing) cannot travel in JSON, so that folder is first copied under ``base``, as the child
    copies it (raise CopyFailed)."""
    path = str(folder.resolve())
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        path = str(base / "source")
        try:
            source_fd = open_source(str(folder))
        except OSError as exc:
            raise CopyFailed(f"{type(exc).__name__}: {exc.strerror}") from None
        try:
            copy_submission(source_fd, path)
        finally:
            os.close(source_fd)
    return path


def _run_children(request: ChildRequest, base: Path, launcher: Launcher, clock: FileClock,
                  on_reply: OnReply | None, early: EarlyChild | None) -> FileObservations:
    observations: dict[str, Observation] = {}
    imported: ImportInfo | None = None
    output = CappedOutput()
    pending = list(request.probes)
    reply_bytes = request.sandbox.reply_mb << 20
    for attempt in range(1, len(request.probes) + 2):
        if attempt == 1 and early is not None:
            run = _early_child(early, output, clock, reply_bytes, on_reply)
        else:
            run = _one_child(request.model_copy(update={"probes": pending}), base / f"request-{attempt}.json",
                             launcher, output, clock, reply_bytes, on_reply)
        observations.update(run.observations)
        if imported is None:
            imported = _import_outcome(run, request, clock)
        if imported.status != "ok":
            _mark_not_run(observations, pending, f"the file could not be imported: {imported.explain()}")
            break
        if run.current is not None:
            observations[run.current] = _probe_failure(run, pending, request.sandbox, clock)
        if run.over_budget:
            _mark_not_run(observations, pending, _budget_note(clock))
            break
        if run.imported is None or run.imported.status != "ok":
            _mark_not_run(observations, pending, "the file could not be imported again")
            break
        pending = [p for p in pending if p.id not in observations]
        if not pending:
            break
    return FileObservations(module_file=request.module_file, imported=imported, probes=observations,
                            stdout=output.text())


def _one_child(request: ChildRequest, request_file: Path, launcher: Launcher, output: CappedOutput,
               clock: FileClock, reply_bytes: int,
               on_reply: OnReply | None) -> ChildRun:
    channel_r, channel_w = os.pipe()
    out_r, out_w = os.pipe()
    try:
        try:
            handle = launcher.start(request, request_file, channel_w, out_w)
        finally:
            os.close(channel_w)
            os.close(out_w)
        return watch(handle, channel_r, out_r, output, request.probes, request.import_timeout, clock, reply_bytes,
                     request.keep_whole, on_reply)
    finally:
        os.close(channel_r)
        os.close(out_r)


def _early_child(early: EarlyChild, output: CappedOutput, clock: FileClock, reply_bytes: int,
                 on_reply: OnReply | None) -> ChildRun:
    request = early.request
    try:
        early.go()
        return watch(early.handle, early.channel_r, early.out_r, output, request.probes, request.import_timeout,
                     clock, reply_bytes, request.keep_whole, on_reply)
    finally:
        os.close(early.channel_r)
        os.close(early.out_r)


def _budget_note(clock: FileClock) -> str:
    return (f"not run: the file used up its total time budget of {clock.seconds:g} s "
            f"(two imports and every check's own time limit)")


def _import_outcome(run: ChildRun, request: ChildRequest, clock: FileClock) -> ImportInfo:
    """The import as the parent saw it, with the layers the harness reported before student code ran."""
    if run.imported is not None:
        info = run.imported
    elif run.timed_out:
        detail = (_budget_note(clock) if run.over_budget
                  else f"importing the file did not finish within {request.import_timeout:g} s")
        info = ImportInfo(status="timeout", detail=detail)
    else:
        how = _how_it_ended(run, request.sandbox)
        info = ImportInfo(status="crashed", detail=f"while importing the file, the process {how}",
                          error=ErrorInfo(type="Crash", message=how))
    if run.layers is not None:
        info.sandbox, info.sandbox_missing = run.layers
    return info


def _mark_not_run(observations: dict[str, Observation], probes: list[Probe], why: str) -> None:
    for probe in probes:
        if probe.id not in observations:
            observations[probe.id] = Observation(probe_id=probe.id, status="not_run", detail=why)


def _probe_failure(run: ChildRun, pending: list[Probe], settings: SandboxSettings, clock: FileClock) -> Observation:
    limit = next(p.timeout for p in pending if p.id == run.current)
    if run.over_budget:
        return Observation(probe_id=run.current, status="timeout", detail=_budget_note(clock))
    if run.timed_out:
        return Observation(probe_id=run.current, status="timeout",
                           detail=f"did not finish within {limit:g} s and was stopped")
    return Observation(probe_id=run.current, status="crashed", detail=f"the process {_how_it_ended(run, settings)}")

