"""The fork server rehearses, once, what its children run around the student's code.

A child forked from the fork server starts with the fork server's memory, and whatever the fork server never ran,
each child runs for the first time: Python specialises the bytecode of the grader's per-probe code, torch fills
its dispatch caches, NumPy and the allocators set themselves up. Every child pays for that first time again,
mostly in the memory it writes, each page of which it first copies from the fork server. Measured in a forked
copy of a process (question 1's 21 probes of comp4901y): the child's first pass over the probes wrote ~2,450
pages and took ~23 ms when the process had never run them, ~930 pages and ~12 ms once it had.

So the fork server runs a question's probes itself, once, when a request first names their set: each probe as a
child runs it (inputs generated and copied, seeded, run, encoded, run again, compared, packed), against a
stand-in for the student's module that is the grader's own (every function answers with its first tensor
argument); and, at start-up, a few of torch's common CPU operations. It runs no student or course code and stays
on the CPU with one thread: no CUDA (the probes' device is never used here), no autograd (the engine counts the
GPUs the first time it runs), no drivers. What the rehearsal changes in the process (torch's settings, the
three random generators, the warnings filters) is put back as it was found.
"""
from __future__ import annotations

import contextlib
import io
import os
import random
import types
import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import torch

from grader.sandbox.protocol import ChildRequest, Probe


class _StandIn:
    """A student's name, played by the grader: every attribute is itself, every call answers with its first tensor
    argument (itself when there is none)."""

    def __getattr__(self, name: str) -> "_StandIn":
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs) -> object:
        return next((a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)), self)


def rehearsable(probes: Sequence[Probe]) -> list[Probe]:
    """The probes the fork server may run itself: those with neither a driver (course code) nor a gradient."""
    return [p for p in probes if not any(step.driver or step.grad for step in p.steps)]


def _stand_in_module(probes: Sequence[Probe]) -> types.ModuleType:
    """A module with a stand-in for every name the probes use, and a small tensor for a name they only read."""
    module = types.ModuleType("rehearsal")
    for probe in probes:
        for step in probe.steps:
            for target in (step.call, step.read, step.set):
                if target:
                    head = target.split(".")[0]
                    read_only = target == step.read and "." not in target and not hasattr(module, head)
                    setattr(module, head, torch.zeros(2) if read_only else _StandIn())
    return module


def rehearse(probes: Sequence[Probe]) -> None:
    """Run ``probes`` as a child would, against a stand-in module, leaving the process's state as found; then
    generate their inputs for the children forked after to take (``inputs.prepare_inputs``)."""
    from grader.inputs import prepare_inputs

    run_as_a_child(probes)
    prepare_inputs(list(probes))  # after the runs, which would take them


def run_as_a_fresh_child(probes: Sequence[Probe]) -> None:
    """What a child runs around a student's file, for a process that exits after (a scout, ``prefault``): its
    request read, torch's settings and the seeds, ``probes`` run against the stand-in, each reply framed."""
    from grader.sandbox.child.entry import torch_settings
    from grader.sandbox.child.seeding import seed_everything

    request = _request(probes)
    ChildRequest.model_validate_json(request.model_copy(update={"probes": []}).model_dump_json())
    torch_settings()
    seed_everything(request.seed, request.device)
    with open(os.devnull, "wb") as sink:
        run_as_a_child(probes, sink.fileno())


def _request(probes: Sequence[Probe]) -> ChildRequest:
    return ChildRequest(module_file="rehearsal.py", source="/nonexistent", workdir="/nonexistent",
                        box="/nonexistent", probes=list(probes))


def run_as_a_child(probes: Sequence[Probe], channel_fd: int | None = None) -> None:
    """Run the rehearsable ``probes`` as a child would, against a stand-in module, leaving the process's state as
    found (its output discarded; each reply framed onto ``channel_fd`` when given)."""
    from grader.course.environment import TorchState
    from grader.observe import pack_reply
    from grader.sandbox.channel import send
    from grader.sandbox.child import adapt
    from grader.sandbox.child.entry import run_probe
    from grader.sandbox.child.tracing import ImportLosses

    probes = rehearsable(probes)
    if not probes or torch.get_num_threads() != 1:
        return
    request = _request(probes)
    module, claimed = _stand_in_module(probes), adapt.claimed_names(probes)
    losses = ImportLosses([probe.losses for probe in probes])
    with as_found(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        state = TorchState.capture(torch, threads=1)
        for probe in probes:
            payload, tensors = run_probe(module, probe, request, torch, state, losses, claimed)
            reply = pack_reply(payload, tensors)
            if channel_fd is not None:
                send(channel_fd, b"P", *reply)


def workout() -> None:
    """A few of torch's common CPU operations, forward only, on small tensors."""
    if torch.get_num_threads() != 1:
        return
    functional = torch.nn.functional
    with as_found():
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(4, 8, generator=generator)
        layer = torch.nn.Linear(8, 3)
        scores = functional.relu(layer(x))
        functional.cross_entropy(scores, torch.tensor([0, 1, 2, 0]))
        functional.mse_loss(scores, torch.zeros(4, 3))
        functional.softmax(x, dim=1)
        torch.einsum("ij,kj->ik", x, x)
        (x @ x.T).sum(), x.mean(dim=0), x.argmax(dim=1), x.max(), x.exp(), x.abs().log1p()
        torch.cat([x, x]), torch.stack([x, x]), (x > 0).float(), torch.allclose(x, x), torch.equal(x, x)
        x.tolist(), x.numpy(), x[0, 1:3], x.reshape(-1).view(2, 16), x.to(torch.float64), x.clone()
        functional.max_pool2d(torch.nn.Conv2d(1, 2, 3)(torch.randn(1, 1, 6, 6, generator=generator)), 2)
        torch.randint(0, 5, (3,), generator=generator), torch.rand(3, generator=generator), torch.zeros_like(x)


@contextlib.contextmanager
def as_found() -> Iterator[None]:
    """Put back torch's settings, the random generators and the warnings filters as they were on entry."""
    import torch.utils.deterministic as deterministic

    from grader.sandbox.child import stability

    settings = (torch.get_default_dtype(), torch.is_grad_enabled(), torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(), deterministic.fill_uninitialized_memory)
    generators = (torch.get_rng_state(), np.random.get_state(), random.getstate())
    filters, ours = list(warnings.filters), list(stability._OURS)
    try:
        yield
    finally:
        dtype, grad, algorithms, warn_only, fill = settings
        torch.set_rng_state(generators[0])
        np.random.set_state(generators[1])
        random.setstate(generators[2])
        warnings.filters[:] = filters
        warnings._filters_mutated()
        stability._OURS[:] = ours
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
        deterministic.fill_uninitialized_memory = fill
        stability.deterministic_algorithms(torch, algorithms, warn_only)  # last: the public way may raise
