"""A spare child's rehearsal: the steps every child takes whatever its request, run before the request arrives.

A forked child pays for every page of the fork server's memory it first writes to (a copy-on-write fault:
a trap and a page copy). Reading its request, setting torch up and running its first probe write to about
a thousand such pages, a few milliseconds between the request and the student's first line. A spare child
waits for its request anyway, so it takes those faults while it waits: it reads a request of its own, sets
torch up as every child does, and runs one probe (twice, as a student's short probe runs) against a
two-line module of its own, sending nothing; each step only if its request has not come yet (a request
that comes at once, the next of a quick succession of trivial files, finds a spare that rehearses less).
Nothing of the rehearsal reaches the student: the module is not in ``sys.modules``, the generators are
seeded again before the import and before each probe, and the torch settings are those every child makes.
"""
from __future__ import annotations

import types
from collections.abc import Callable

from grader.sandbox.protocol import ChildRequest, InputSpec, Probe, Step

_SOURCE = "def twice(x):\n    return x * 2\n"
_PROBES = 40  # as many as a question's checks ask for: the request's objects fill the pages the real one will use
_REQUEST = ChildRequest(module_file="rehearsal.py", source="/", workdir="/", box="/", probes=[
    Probe(id=f"rehearsal-{i}", inputs={"x": InputSpec(shape=[2, 3]), "y": InputSpec(shape=[3])}, steps=[
        Step(call="twice", args=[{"input": "x"}], kwargs={"scale": 1.0}, observe="value", trace=True),
        Step(read="twice", save="function")]) for i in range(_PROBES)]).model_dump_json()


def rehearse(stop: Callable[[], bool]) -> None:
    """Run the request-independent steps of a child (see the module's docstring), each only while ``stop()`` is
    false (the request has not come yet); raises what they raise."""
    from grader.course.environment import TorchState
    from grader.observe import pack_reply
    from grader.sandbox.child.entry import run_probe, torch_settings
    from grader.sandbox.child.tracing import ImportLosses

    if stop():
        return
    request = ChildRequest.model_validate_json(_REQUEST)
    if stop():
        return
    torch = torch_settings()
    if stop():
        return
    module = types.ModuleType("rehearsal")
    exec(compile(_SOURCE, "rehearsal.py", "exec"), module.__dict__)  # noqa: S102 - the grader's own two lines
    state = TorchState.capture(torch, threads=1)
    payload, tensors = run_probe(module, request.probes[0], request, torch, state, ImportLosses([]))
    pack_reply(payload, tensors)
