"""The child: imports one student file, runs probes, sends observations, exits.

``run_request`` is the single entry point. It runs in a fresh process, started either by
``python -m grader.sandbox.child.entry`` (spawn) or by a fork; it never returns. Everything it tells
the parent travels as frames on one pipe (``channel``): the sandbox layers (sent before any
student code runs), the import report, one reply per probe in the order asked, and the end.
"""
from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from grader.diagnosis.frames import origin_of
from grader.sandbox.child import adapt
from grader.sandbox.protocol import ChildRequest, Probe, Step

STDOUT_CAP = 8_000
RERUN_UNDER = 0.5  # seconds: a student's probe quicker than this is run twice, to see that it answers the same
INTERNAL_ERROR = 70


class MissingName(Exception):
    """A name the probe looked for is not defined by the student's file."""


class _CappedText(io.TextIOBase):
    def __init__(self, cap: int) -> None:
        self.cap, self.parts, self.size, self.dropped = cap, [], 0, 0

    def write(self, text: str) -> int:
        room = self.cap - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        tail = f"\n... [{self.dropped} more characters not kept]" if self.dropped else ""
        return "".join(self.parts) + tail


def _student_error(exc: BaseException, workdir: str) -> dict:
    """The exception with only the frames from the student's own files."""
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(workdir):
            line = (frame.line or "").strip()
            frames.append(f"{Path(frame.filename).name}, line {frame.lineno}: {line}"[:300])
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith(workdir):
        frames.append(f"{Path(exc.filename).name}, line {exc.lineno}: {(exc.text or '').strip()}"[:300])
    try:
        message = str(exc)
    except BaseException:  # noqa: BLE001 - a student exception whose __str__ raises
        message = "<the exception's message could not be printed>"
    if isinstance(exc, SyntaxError):
        message = str(exc.msg)
    if isinstance(exc, SystemExit):
        message = f"the code called sys.exit({message})"
    origin, where = origin_of(exc, workdir)
    return {"type": type(exc).__name__, "message": message[:1000], "traceback": frames[-8:], "origin": origin,
            "where": where}


def _leave_if_forked(owner: int) -> None:
    """A copy of the child forked by student code must never reach the grader's code."""
    if os.getpid() != owner:
        os._exit(0)


def _import_student(request: ChildRequest):
    path = Path(request.workdir) / request.module_file
    name = path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _ProbeRun:
    """Executes the steps of one probe against the imported module."""

    def __init__(self, module, probe: Probe, inputs: dict, recorder, claimed: set[str] = frozenset()) -> None:
        self.module, self.probe, self.inputs, self.recorder = module, probe, inputs, recorder
        self.claimed = claimed
        self.owner = os.getpid()
        self.vars: dict[str, Any] = {}
        self.observed: dict[str, Any] = {}

    def lookup(self, dotted: str, stand_in: bool = False) -> Any:
        """The object a dotted name leads to; with ``stand_in``, a callable the student named closely
        (``sgd_factorise_ad`` for ``sgd_factorise``) answers for a missing last name, noted as a deviation."""
        head, *rest = dotted.split(".")
        if head in self.vars:
            obj = self.vars[head]
        elif hasattr(self.module, head):
            obj = getattr(self.module, head)
        elif stand_in and not rest and (found := adapt.stand_in(self.module, head, self.claimed)) is not None:
            obj = found
        else:
            raise MissingName(head)
        for i, attr in enumerate(rest):
            if hasattr(obj, attr):
                obj = getattr(obj, attr)
            elif stand_in and i == len(rest) - 1 and (found := adapt.stand_in(obj, attr, self.claimed)) is not None:
                obj = found
            else:
                raise MissingName(f"{head}.{attr}" if obj is not self.module else attr)
        return obj

    def resolve(self, arg: Any) -> Any:
        if isinstance(arg, dict) and set(arg) == {"input"}:
            return self.inputs[arg["input"]]
        if isinstance(arg, dict) and set(arg) == {"var"}:
            return self.lookup(arg["var"])
        if arg == {"module": True}:
            return self.module
        if isinstance(arg, list):
            return [self.resolve(a) for a in arg]
        return arg

    def assign(self, owner: Any, attr: str, ref: Any) -> None:
        """``owner.attr = value``; a tensor set on a registered ``nn.Parameter`` is copied into it under no_grad
        (transposed when the parameter holds the other layout of a matrix), and the input then names the
        parameter, so that gradients taken later are the parameter's."""
        import torch

        value, current = self.resolve(ref), getattr(owner, attr, None)
        if not (isinstance(current, torch.nn.Parameter) and isinstance(value, torch.Tensor)):
            setattr(owner, attr, value)
            return
        if current.shape != value.shape and value.dim() == 2 and current.shape == value.T.shape:
            value = value.T
        if current.shape != value.shape:
            raise ValueError(f"the grader sets `{attr}` to a tensor of shape {tuple(value.shape)}, but the "
                             f"model's parameter `{attr}` has shape {tuple(current.shape)}")
        with torch.no_grad():
            current.copy_(value)
        if isinstance(ref, dict) and set(ref) == {"input"}:
            self.inputs[ref["input"]] = current

    def run_step(self, step: Step) -> None:
        import torch

        if step.call or step.driver:
            args = [self.resolve(a) for a in step.args]
            kwargs = {k: self.resolve(v) for k, v in step.kwargs.items()}
            if step.driver:
                from grader.course.course_drivers import find_driver  # only probes with a driver load drivers

                driver = find_driver(step.driver)
                target = lambda: driver(*args, **kwargs)  # noqa: E731 - grader code, called as it is
            else:
                function = self.lookup(step.call, stand_in=True)
                label = step.call.rsplit(".", 1)[-1]
                target = lambda: adapt.call(function, args, kwargs, label,  # noqa: E731
                                            adapt.filler(self.module, function))
            ctx = self.recorder if step.trace else contextlib.nullcontext()
            try:
                with ctx:
                    result = target()
            finally:
                _leave_if_forked(self.owner)
        elif step.set:
            owner_name, _, attr = step.set.rpartition(".")
            owner = self.lookup(owner_name) if owner_name else self.module
            self.assign(owner, attr, step.value)
            result = None
        elif step.read and not step.observe:  # a function handed on to a driver: calls through it are adapted
            result = self.lookup(step.read, stand_in=True)
            if inspect.isfunction(result) or inspect.ismethod(result):
                result = adapt.Adapted(result, step.read.rsplit(".", 1)[-1], adapt.filler(self.module, result))
        elif step.read:
            result = self.lookup(step.read)
        else:
            loss = self.lookup(step.grad)
            wrt = [self.resolve(w) for w in step.wrt]
            result = list(torch.autograd.grad(loss, wrt))
        if step.save:
            self.vars[step.save] = result
        if step.observe:
            self.observed[step.observe] = result


def _attempt(module, probe: Probe, request: ChildRequest, torch, state, claimed: set[str],
             inputs: dict) -> tuple[dict, dict]:
    """Run one probe from its seed on ``inputs`` (its generated inputs, which the run may change): the reply's
    payload (without values) and what it observed, as objects."""
    from grader.sandbox.child.seeding import seed_everything
    from grader.sandbox.child.tracing import OpRecorder

    state.restore(torch)
    seed_everything(probe.seed, request.device)
    recorder = OpRecorder()
    run = _ProbeRun(module, probe, inputs, recorder, claimed)
    captured = _CappedText(STDOUT_CAP)
    started = time.perf_counter()
    payload: dict[str, Any] = {"probe_id": probe.id, "status": "ok"}
    at_step = 0
    with adapt.noting() as notes:
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                for index, step in enumerate(probe.steps):
                    at_step = index
                    run.run_step(step)
        except MissingName as exc:
            payload.update(status="error", error={"type": "MissingName", "message": str(exc), "traceback": [],
                                                  "step": at_step})
        except BaseException as exc:  # noqa: BLE001 - anything the student raises, SystemExit included
            payload.update(status="error", error={**_student_error(exc, request.workdir), "step": at_step})
    payload.update(seconds=time.perf_counter() - started, ops=dict(recorder.counts), sequence=recorder.sequence,
                   stdout=captured.getvalue(), deviations=notes)
    return payload, run.observed


def _encoded(observed: dict, tensors: dict, whole: bool) -> dict:
    from grader.observe import encode_value

    values = {}
    for name, obj in observed.items():
        try:
            values[name] = encode_value(obj, tensors, whole=whole)
        except BaseException as exc:  # noqa: BLE001
            values[name] = {"type": "object", "class_name": type(obj).__name__,
                            "text": f"could not be read: {type(exc).__name__}"}
    return values


def _may_run_twice(probe: Probe, request: ChildRequest) -> bool:
    """Whether a probe may be run a second time to see that it gives the same answer: not the reference's
    (trusted), not a driver's training or measurement run (checked by properties, and long)."""
    return not request.keep_whole and not any(step.driver for step in probe.steps)


def _quick(probe: Probe, first: dict) -> bool:
    """A first run short enough for a second: not a call that took a third of its time limit (a second run
    could push it past the limit)."""
    return first["seconds"] < min(RERUN_UNDER, probe.timeout / 3)


def run_probe(module, probe: Probe, request: ChildRequest, torch, state, losses,
              claimed: set[str] = frozenset()) -> tuple[dict, dict]:
    """One probe's reply and tensors. Uninitialised memory reads as NaN (or the largest integer), so that
    ``torch.empty`` gives the same answer at every regrade; a student's short probe that ran the student's code
    is then run a second time with uninitialised memory left as it is, and a different answer is sent along as
    ``rerun`` (the parent flags the check as unstable)."""
    from grader.inputs import pristine_copies, take_inputs  # imported after confinement: the child starts cheaply
    from grader.sandbox.child.stability import difference, runs_student_code, same_plain_tensors, uninitialised_memory

    inputs = take_inputs(probe.inputs, probe.seed, request.device)
    twice = _may_run_twice(probe, request)
    inputs_again = pristine_copies(inputs) if twice else {}  # the first run may change its inputs in place
    with uninitialised_memory(torch, filled=True):
        payload, observed = _attempt(module, probe, request, torch, state, claimed, inputs)
    tensors: dict = {}
    payload["values"] = _encoded(observed, tensors, request.keep_whole)
    if twice and _quick(probe, payload) and runs_student_code(probe.steps, module, observed, torch):
        with uninitialised_memory(torch, filled=False):
            again, observed_again = _attempt(module, probe, request, torch, state, claimed, inputs_again)
        differs = ""
        if not (payload["status"] == again["status"] == "ok"
                and same_plain_tensors(payload["values"], tensors, observed_again, torch)):
            scratch: dict = {}
            again["values"] = _encoded(observed_again, scratch, False)
            differs = difference(payload, tensors, again, scratch)
        if differs:
            again["values"] = _encoded(observed_again, tensors, False)
            payload["rerun"] = {k: again[k] for k in ("status", "error", "values") if k in again}
            payload["unstable"] = differs
    if probe.losses:
        payload["losses"] = losses.payload(probe.losses)
    return payload, tensors


def torch_settings():
    """torch set up as every child runs student code: one thread, deterministic, full float32 precision; the
    module."""
    import torch

    if torch.get_num_threads() != 1:  # the fork server's children start with one thread already
        torch.set_num_threads(1)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, before CUDA starts
    from grader.sandbox.child.stability import fill_uninitialised_memory

    fill_uninitialised_memory(torch)  # from the import on, torch.empty reads as NaN
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    return torch


def _prepare_process(request: ChildRequest):
    import tempfile

    os.chdir(request.workdir)
    sys.path.insert(0, request.workdir)
    os.environ.update(HOME=request.workdir, TMPDIR=request.workdir, MPLCONFIGDIR=request.workdir, MPLBACKEND="Agg")
    tempfile.tempdir = None
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return torch_settings()


def _wait_for_word(go_fd: int) -> None:
    """Block until the parent says go (one byte); a parent that closes the pipe instead no longer wants this
    child, which leaves before any student code runs."""
    word = os.read(go_fd, 1)
    os.close(go_fd)
    if not word:
        os._exit(0)


def run_request(request: ChildRequest, channel_fd: int, go_fd: int | None = None) -> None:
    """Import the student's file, run every probe, send the replies, and exit the process. With ``go_fd`` the
    child was handed its request early (while the worker's previous file still runs): it applies its layers and
    sets itself up, then waits for the parent's word before it imports anything of the student's."""
    from grader.observe import pack_reply  # these imports run in the child, after the fork, not at start-up
    from grader.course import environment
    from grader.sandbox.channel import send, widen
    from grader.sandbox.layers.confine import confine
    from grader.sandbox.child.seeding import seed_everything
    from grader.sandbox.child.tracing import ImportLosses

    try:
        widen(channel_fd)
        confinement = confine(request)
        send(channel_fd, b"L", {"active": confinement.active, "missing": confinement.missing})
        if confinement.refused:
            send(channel_fd, b"I", {"status": "error", "detail": confinement.refused})
            os._exit(0)
        request = request.model_copy(update={"workdir": confinement.workdir})
        torch = _prepare_process(request)
        environment.install(request.sandbox.offline_root)
        if go_fd is not None:
            _wait_for_word(go_fd)
        seed_everything(request.seed, request.device)
        started = time.perf_counter()
        imported: dict[str, Any] = {"status": "ok"}
        module = None
        owner = os.getpid()
        losses = ImportLosses([probe.losses for probe in request.probes])
        try:
            with losses:  # the named loss functions' calls are recorded while the file runs
                module = _import_student(request)
        except BaseException as exc:  # noqa: BLE001
            _leave_if_forked(owner)
            imported.update(status="error", error=_student_error(exc, request.workdir))
        _leave_if_forked(owner)
        imported["seconds"] = time.perf_counter() - started
        if module is not None:
            imported["defined"] = sorted(n for n in vars(module)
                                         if isinstance(n, str) and len(n) <= 100 and not n.startswith("_"))[:500]
        sys.stdout.flush()  # what the import printed survives a crash in a later probe
        sys.stderr.flush()
        send(channel_fd, b"I", imported)
        if module is not None:
            state = environment.TorchState.capture(torch, threads=1)
            claimed = adapt.claimed_names(request.probes)
            for probe in request.probes:
                payload, tensors = run_probe(module, probe, request, torch, state, losses, claimed)
                send(channel_fd, b"P", *pack_reply(payload, tensors))
        sys.stdout.flush()
        sys.stderr.flush()
        send(channel_fd, b"E", {})  # after the flush: the parent may kill the child as soon as it reads this
        os._exit(0)
    except BaseException:  # noqa: BLE001 - a failure of the grader's own child code
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(INTERNAL_ERROR)


def main() -> None:
    """``python -m grader.sandbox.child.entry REQUEST.json CHANNEL_FD [GO_FD]``."""
    from grader.sandbox.layers import userns
    from grader.sandbox.layers.confine import die_with_parent

    die_with_parent()
    request = ChildRequest.model_validate_json(Path(sys.argv[1]).read_text())
    userns.enter_if_wanted(request.sandbox.disable)  # before torch is imported: it starts a thread
    run_request(request, int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)


if __name__ == "__main__":
    main()
