"""Same files, same marks: uninitialised memory reads as NaN in every probe, whatever the student's code
switches off, and a probe whose answer depends on it is flagged."""
from __future__ import annotations

import textwrap
import types
from pathlib import Path

import pytest
import torch

from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import Probe, Step

SWITCHED_OFF = """
import warnings
import pytest
import torch
torch.use_deterministic_algorithms(False)  # what a script copied from a speed tip does
warnings.resetwarnings()
warnings.simplefilter("error")  # every warning an exception, the grader's own included

def scratch():
    return torch.empty(64, 64)

def switch_off_then_scratch():
    torch.use_deterministic_algorithms(True)  # strict mode: an op without a deterministic kernel raises
    torch.utils.deterministic.fill_uninitialized_memory = False
    return torch.empty(64, 64)
"""


def probe(probe_id: str, name: str) -> Probe:
    return Probe(id=probe_id, timeout=5, steps=[Step(call=name, observe="out")])


def test_uninitialised_memory_is_filled_whatever_the_student_switched_off(tmp_path: Path) -> None:
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text(textwrap.dedent(SWITCHED_OFF))
    probes = [probe("first", "scratch"), probe("switch", "switch_off_then_scratch"), probe("after", "scratch")]
    obs = run_file("q.py", folder, probes, import_timeout=20)
    assert obs.imported.status == "ok", obs.imported.detail
    assert obs.probes["switch"].status == "ok"  # strict mode did not make the grader's own steps raise
    for probe_id in ("first", "after"):  # switched off at import, and inside an earlier probe: filled again
        observed = obs.probes[probe_id]
        assert observed.status == "ok", (probe_id, observed.error)
        assert torch.isnan(observed.values["out"].tensor).all(), probe_id  # so the same at every regrade


NAMES = """
import sys
import types
import pytest
import torch

rate = 0.1
weights = torch.ones(3)
_issued = [0]

def __getattr__(name):  # a module-level __getattr__ (PEP 562): reading `ticket` runs the student's code
    if name == "ticket":
        _issued[0] += 1
        return _issued[0]
    raise AttributeError(name)

class _Counting(types.ModuleType):
    @property
    def serial(self):  # a property on the module's own class: reading `serial` runs code too
        _issued[0] += 1
        return _issued[0]

sys.modules[__name__].__class__ = _Counting
"""


def read(probe_id: str, name: str) -> Probe:
    return Probe(id=probe_id, timeout=5, steps=[Step(read=name, observe="out")])


def test_a_read_that_runs_the_students_code_is_run_twice_and_flagged(tmp_path: Path) -> None:
    """Reads of names bound to plain values are not run again (nothing of the student's runs); a read through a
    module ``__getattr__`` or a property of the module's class is, and its changing answer is caught."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text(textwrap.dedent(NAMES))
    probes = [read("rate", "rate"), read("weights", "weights"), read("ticket", "ticket"), read("serial", "serial")]
    obs = run_file("q.py", folder, probes, import_timeout=20)
    assert obs.imported.status == "ok", obs.imported.detail
    assert obs.probes["rate"].values["out"].number == 0.1 and not obs.probes["rate"].unstable
    assert not obs.probes["weights"].unstable
    for probe_id in ("ticket", "serial"):
        assert obs.probes[probe_id].unstable == "`out` came out different", probe_id


def test_which_probes_can_answer_differently_in_a_second_run() -> None:
    from grader.sandbox.child.stability import runs_student_code

    module = types.ModuleType("q")
    module.rate, module.weights, module.model = 0.1, torch.ones(2), torch.nn.Linear(2, 2)
    reads = [Step(read="rate", observe="a"), Step(read="weights", observe="b")]
    assert not runs_student_code([], module, {}, torch)  # a probe with no steps
    assert not runs_student_code(reads, module, {"a": 0.1, "b": module.weights}, torch)
    assert runs_student_code([Step(call="f", observe="a")], module, {"a": 1}, torch)
    assert runs_student_code([Step(read="model.weight", observe="a")], module, {"a": module.model.weight}, torch)
    assert runs_student_code([Step(read="model", observe="a")], module, {"a": module.model}, torch)  # its repr
    assert runs_student_code([Step(read="missing", observe="a")], module, {}, torch)
    odd = type("Odd", (types.ModuleType,), {})("q")
    odd.rate = 0.1
    assert runs_student_code([Step(read="rate", observe="a")], odd, {"a": 0.1}, torch)


ANSWERS = """
import torch

_kept = torch.zeros(3)

def kept_and_changed():  # the same tensor each call, changed in place: the first answer was 1s, the second 2s
    _kept.add_(1)
    return _kept

def nothing():
    return None

def half_precision():
    return torch.arange(4, dtype=torch.bfloat16)

def drawn():
    return torch.randn(3, generator=torch.Generator().manual_seed(torch.seed()))  # a seed the grader does not set
"""


def test_second_runs_compared_without_encoding_find_what_encoding_finds(tmp_path: Path) -> None:
    """A tensor the second run changed in place differs from the first run's answer as it was (not as the second
    run left it); None twice, and a bfloat16 tensor (numpy has no such type: compared encoded), do not differ."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text(textwrap.dedent(ANSWERS))
    names = ("kept_and_changed", "nothing", "half_precision", "drawn")
    obs = run_file("q.py", folder, [probe(name, name) for name in names], import_timeout=20)
    assert obs.imported.status == "ok", obs.imported.detail
    assert obs.probes["kept_and_changed"].unstable == "`out` came out different"
    assert obs.probes["kept_and_changed"].values["out"].tensor.tolist() == [1.0, 1.0, 1.0]
    assert obs.probes["kept_and_changed"].rerun.values["out"].tensor.tolist() == [2.0, 2.0, 2.0]
    assert not obs.probes["nothing"].unstable and not obs.probes["half_precision"].unstable
    assert obs.probes["drawn"].unstable == "`out` came out different"


def test_the_plain_comparison_says_same_only_where_the_encoded_one_would() -> None:
    from grader.observe import encode_value
    from grader.sandbox.child.stability import difference, same_plain_tensors

    def encoded(observed: dict) -> tuple[dict, dict]:
        tensors: dict = {}
        return {name: encode_value(value, tensors) for name, value in observed.items()}, tensors

    first = {"a": torch.ones(2, 3), "b": None, "w": torch.nn.Parameter(torch.zeros(2))}
    values, tensors = encoded(first)
    same = {"a": torch.ones(2, 3), "b": None, "w": torch.nn.Parameter(torch.zeros(2))}
    assert same_plain_tensors(values, tensors, same, torch)
    for other in ({"a": torch.ones(2, 3) * 2, "b": None, "w": same["w"]},  # another value
                  {"a": torch.ones(3, 2), "b": None, "w": same["w"]},  # another shape
                  {"a": torch.ones(2, 3, dtype=torch.float64), "b": None, "w": same["w"]},  # another dtype
                  {"a": torch.ones(2, 3), "b": 0, "w": same["w"]},  # not None
                  {"a": torch.ones(2, 3), "w": same["w"]}):  # a name missing
        assert not same_plain_tensors(values, tensors, other, torch)
        second_values, second_tensors = encoded(other)
        assert difference({"status": "ok", "values": values}, tensors,
                          {"status": "ok", "values": second_values}, second_tensors)
    odd = torch.ones(2, 3).as_subclass(type("Sub", (torch.Tensor,), {}))
    assert not same_plain_tensors(values, tensors, {**same, "a": odd}, torch)  # a subclass: compared encoded
    nan = {"a": torch.full((2, 3), float("nan")), "b": None, "w": same["w"]}
    nan_values, nan_tensors = encoded(nan)
    assert same_plain_tensors(nan_values, nan_tensors, {**nan, "a": torch.full((2, 3), float("nan"))}, torch)


IN_PLACE = """
def double_in_place(x, w):
    x.mul_(2)  # changes the grader's input tensor itself
    return (x * w).sum()
"""


def test_a_second_run_gets_the_inputs_as_generated_not_as_the_first_run_left_them(tmp_path: Path) -> None:
    from grader.sandbox.protocol import InputSpec

    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text(textwrap.dedent(IN_PLACE))
    spec = {"x": InputSpec(shape=[4]), "w": InputSpec(shape=[4], requires_grad=True)}
    probes = [Probe(id="p", timeout=5, inputs=spec,
                    steps=[Step(call="double_in_place", args=[{"input": "x"}, {"input": "w"}], observe="out")])]
    obs = run_file("q.py", folder, probes, import_timeout=20)
    assert obs.probes["p"].status == "ok", obs.probes["p"].error
    assert not obs.probes["p"].unstable  # a second run on the doubled input would have answered twice as much


def test_pristine_copies_are_the_generated_inputs_bit_for_bit() -> None:
    from grader.inputs import generate_inputs, pristine_copies
    from grader.sandbox.protocol import InputSpec

    specs = {"a": InputSpec(shape=[2, 3]), "b": InputSpec(shape=[3], requires_grad=True),
             "c": InputSpec(shape=[5], distribution="randint", low=0, high=9, dtype="int64")}
    generated = generate_inputs(specs, seed=7)
    copies = pristine_copies(generated)
    again = generate_inputs(specs, seed=7)
    for name in specs:
        assert copies[name] is not generated[name]
        assert copies[name].is_leaf and copies[name].requires_grad == again[name].requires_grad
        assert copies[name].dtype == again[name].dtype and torch.equal(copies[name], again[name])


def test_inputs_are_the_formula_s_values_bit_for_bit_where_an_operation_is_skipped() -> None:
    """A scale of 1 and the unit interval skip their arithmetic: the values are the ones the full formula gives."""
    from grader.inputs import generate_inputs
    from grader.sandbox.protocol import InputSpec

    specs = {"n": InputSpec(shape=[4, 3]), "u": InputSpec(shape=[6], distribution="uniform"),
             "s": InputSpec(shape=[5], scale=2.5), "w": InputSpec(shape=[3], distribution="uniform", low=-2, high=3)}
    generated = generate_inputs(specs, seed=11)
    generator = torch.Generator().manual_seed(11)
    expected = {}
    for name in sorted(specs):
        spec = specs[name]
        if spec.distribution == "uniform":
            t = torch.rand(spec.shape, generator=generator, dtype=torch.float64)
            expected[name] = (spec.low + (spec.high - spec.low) * t).to(torch.float32)
        else:
            t = torch.randn(spec.shape, generator=generator, dtype=torch.float64)
            expected[name] = (t * spec.scale).to(torch.float32)
    for name in specs:
        assert generated[name].dtype == torch.float32
        assert generated[name].numpy().tobytes() == expected[name].numpy().tobytes(), name


def test_a_scale_of_1_and_the_unit_interval_cost_no_arithmetic() -> None:
    from grader.inputs import generate_inputs
    from grader.sandbox.child.tracing import OpRecorder
    from grader.sandbox.protocol import InputSpec

    recorder = OpRecorder()
    with recorder:
        generate_inputs({"n": InputSpec(shape=[3]), "u": InputSpec(shape=[3], distribution="uniform")}, seed=1)
    assert not [name for name in recorder.counts if "mul" in name or "add" in name], recorder.counts


def test_prepared_inputs_are_the_generated_ones_taken_once_and_bounded(monkeypatch) -> None:
    from grader import inputs
    from grader.sandbox.protocol import InputSpec

    monkeypatch.setattr(inputs, "_prepared", {})
    specs = {"a": InputSpec(shape=[2, 3]), "b": InputSpec(shape=[3], requires_grad=True, dtype="float64"),
             "c": InputSpec(shape=[5], distribution="randint", low=0, high=9, dtype="int64")}
    probes = [Probe(id="p", seed=5, inputs=specs, steps=[Step(call="f", observe="v")]),
              Probe(id="none", steps=[Step(call="f", observe="v")])]
    inputs.prepare_inputs(probes)
    assert len(inputs._prepared) == 1  # a probe without inputs prepares nothing
    prepared = next(iter(inputs._prepared.values()))
    taken = inputs.take_inputs(specs, 5)
    assert all(taken[name] is prepared[name] for name in specs)  # the prepared tensors themselves, no copy
    expected = inputs.generate_inputs(specs, 5)
    for name in specs:
        assert taken[name].is_leaf and taken[name].requires_grad == expected[name].requires_grad
        assert taken[name].dtype == expected[name].dtype and torch.equal(taken[name].detach(), expected[name].detach())
    again = inputs.take_inputs(specs, 5)  # taken already: generated afresh, not what the first run may have changed
    assert again["a"] is not taken["a"] and torch.equal(again["a"], expected["a"])
    assert inputs.take_inputs({"a": InputSpec(shape=[2, 4])}, 5)["a"].shape == (2, 4)  # another spec, another key
    monkeypatch.setattr(inputs, "PREPARED_BYTES", 100)
    inputs.prepare_inputs([Probe(id="big", seed=1, inputs={"x": InputSpec(shape=[100])}, steps=[])])
    assert inputs._prepared == {}  # over the bound: left to the children


PREPARED_PROBE = """
import sys
import pytest
import torch

def prepared(x):
    x.add_(1)  # in place: the second run must still get the input as generated
    return float(len(sys.modules["grader.inputs"]._prepared)), float(x.sum())
"""


def test_a_fork_server_child_takes_inputs_the_fork_server_prepared(tmp_path: Path) -> None:
    """Once a request has named a probe set, the fork server generates its inputs, and the next child takes them
    instead of generating its own: the answers are the same, and a second run sees the inputs as generated."""
    import time

    from grader.inputs import generate_inputs
    from grader.sandbox.parent.pool import ForkServerLauncher
    from grader.sandbox.protocol import InputSpec

    (tmp_path / "q.py").write_text(PREPARED_PROBE)
    specs = {"x": InputSpec(shape=[6])}
    probes = [Probe(id=f"p{seed}", seed=seed, timeout=5, inputs=specs,
                    steps=[Step(call="prepared", args=[{"input": "x"}], observe="out")]) for seed in (1, 2, 3)]
    with ForkServerLauncher(1) as launcher:
        first = run_file("q.py", tmp_path, probes, launcher=launcher, import_timeout=20)
        time.sleep(2)  # the fork server rehearses the new set and prepares its inputs while idle
        second = run_file("q.py", tmp_path, probes, launcher=launcher, import_timeout=20)
    def left(obs):
        """How many prepared inputs each probe's child still held when the student's function ran."""
        return [obs.probes[p.id].values["out"].items[0].number for p in probes]

    assert left(first) == [0, 0, 0]
    assert left(second) == [2, 1, 0]  # each probe took its own prepared inputs
    for probe in probes:
        sums = [obs.probes[probe.id].values["out"].items[1].number for obs in (first, second)]
        expected = float((generate_inputs(specs, probe.seed)["x"] + 1).sum())
        assert sums == [pytest.approx(expected)] * 2
        assert not second.probes[probe.id].unstable
