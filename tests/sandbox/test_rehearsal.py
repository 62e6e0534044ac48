"""The fork server's rehearsal of a child's work: a child forked after it writes fewer pages of its own to run the
same probes, and the rehearsal leaves the process as it found it, without CUDA, autograd, drivers or threads."""
from __future__ import annotations

import random
import warnings

import numpy as np
import torch

from grader.sandbox.parent import rehearsal
from grader.sandbox.protocol import InputSpec, Probe, Step
from tests.sandbox.pages_written import in_a_fresh_interpreter


def probes() -> list[Probe]:
    """Calls with tensors, a model's method, a global read and set, and one each with a gradient and a driver."""
    vector = {"x": InputSpec(shape=[4]), "w": InputSpec(shape=[4, 3], dtype="float64", distribution="uniform")}
    return [
        Probe(id="call", seed=1, inputs=vector, steps=[Step(call="combine", args=[{"input": "x"}, {"input": "w"}],
                                                            observe="out")]),
        Probe(id="model", seed=2, inputs=vector, steps=[Step(call="Model", args=[3], save="m"),
                                                        Step(call="m.forward", args=[{"input": "x"}], observe="y")]),
        Probe(id="globals", steps=[Step(set="RATE", value=0.5), Step(read="RATE", observe="rate"),
                                   Step(read="SIZE", observe="size")]),
        Probe(id="grad", seed=3, inputs={"x": InputSpec(shape=[2], requires_grad=True)},
              steps=[Step(call="loss", args=[{"input": "x"}], save="l"),
                     Step(grad="l", wrt=[{"input": "x"}], observe="g")]),
        Probe(id="train", steps=[Step(driver="fit", observe="losses")]),
    ]


def snapshot() -> tuple:
    import torch.utils.deterministic as deterministic

    return (torch.get_default_dtype(), torch.is_grad_enabled(), torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(), deterministic.fill_uninitialized_memory,
            torch.get_rng_state().tolist(), np.random.get_state()[1].tolist(), random.getstate(),
            list(warnings.filters), torch.get_num_threads())


def test_only_probes_without_a_driver_or_a_gradient_are_rehearsed():
    assert [p.id for p in rehearsal.rehearsable(probes())] == ["call", "model", "globals"]


def test_a_rehearsal_leaves_the_process_as_it_found_it(monkeypatch):
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)  # as in the fork server (OMP_NUM_THREADS=1)
    before = snapshot()
    rehearsal.workout()
    rehearsal.rehearse(probes())
    assert snapshot() == before
    assert not torch.cuda.is_initialized()


def test_a_process_with_torch_threads_is_not_rehearsed(monkeypatch):
    ran = []
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    monkeypatch.setattr("grader.sandbox.child.entry.run_probe", lambda *args: ran.append(args))
    rehearsal.rehearse(probes())
    assert ran == []


# A fresh interpreter with the fork server's imports forks a child that imports a correct question 1 and runs its
# probes, before and after the rehearsals (torch's workout, then the probes'); each child says how many pages it
# had to write (minor faults).
FORKED = """
import json
from grader.sandbox.parent import rehearsal, zygote_imports
from tests.sandbox.pages_written import pages_written, question1_probes
workout, rehearsal.workout = rehearsal.workout, lambda: None
zygote_imports.preload_core()
cold = pages_written()
workout()
rehearsal.rehearse(question1_probes())
print(json.dumps([cold, pages_written()]))
"""


def test_a_child_forked_after_the_rehearsal_writes_fewer_pages_of_its_own():
    (cold, cold_statuses, _), (warm, warm_statuses, _) = in_a_fresh_interpreter(FORKED)
    assert cold_statuses == warm_statuses == ["ok"] * len(cold_statuses)
    assert warm < 0.85 * cold, (cold, warm)
