"""Scenarios: what the value, gradient, step and trace kinds ask the child to run, trial by trial."""
from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from grader.checks.scenario import build_probe, describe_sizes, trial_sizes
from tests.checks.conftest import context, inputs_of, make_spec, plan_of

MATMUL = {"call": "batch_transposed_matrix_multiplication", "args": [{"tensor": ["d1", "d4"]}, {"tensor": ["d5", "d4"]}],
          "dims": {"d1": [1, 2, 3], "d4": [1, 7], "d5": [2, 9]}, "trials": 50}


def test_every_trial_draws_its_sizes_from_dims_with_its_own_seed():
    spec = make_spec("value", **MATMUL)
    probes = [build_probe(spec, t, context()) for t in range(spec.trials)]
    assert len({p.seed for p in probes}) == 50
    drawn = [trial_sizes(spec, p.seed) for p in probes]
    assert {d["d1"] for d in drawn} == {1, 2, 3} and {d["d4"] for d in drawn} == {1, 7}
    for probe, sizes in zip(probes, drawn):
        a, b = (probe.inputs[f"call.arg{i}"].shape for i in range(2))
        assert a == [sizes["d1"], sizes["d4"]] and b == [sizes["d5"], sizes["d4"]]
    assert describe_sizes(spec, 0, context()) == ", ".join(f"{k}={v}" for k, v in drawn[0].items())
    assert describe_sizes(make_spec("value", read="lr"), 0, context()) == ""


def test_the_same_trial_gets_the_same_probe_and_inputs_again():
    spec = make_spec("value", **MATMUL)
    first, again = build_probe(spec, 3, context()), build_probe(spec, 3, context())
    assert first == again
    assert all(torch.equal(a, b) for a, b in zip(inputs_of(first).values(), inputs_of(again).values()))
    assert build_probe(spec, 3, context(seed=1)).seed != first.seed


def test_objects_attributes_setup_and_arguments_become_steps():
    spec = make_spec("value", object={"class": "MLP", "args": [{"dim": "d"}, 4], "kwargs": {"lr": 0.5}},
                     attributes={"W1": {"tensor": ["d", 4], "dtype": "float64"}},
                     setup=[{"call": "forward", "args": [{"tensor": [1, "d"]}], "save": "loss"}],
                     call="backward", args=[{"var": "loss"}], kwargs={"scale": {"tensor": [2], "distribution": "uniform",
                                                                               "low": 2.0, "high": 3.0}},
                     dims={"d": [6]}, timeout=3)
    probe = build_probe(spec, 0, context(timeout=20))
    construct, set_w1, forward, backward = probe.steps
    assert (construct.call, construct.args, construct.kwargs, construct.save) == ("MLP", [6, 4], {"lr": 0.5}, "obj")
    assert (set_w1.set, set_w1.value) == ("obj.W1", {"input": "attr.W1"})
    assert (forward.call, forward.args, forward.save) == ("obj.forward", [{"input": "setup0.arg0"}], "loss")
    assert (backward.call, backward.args, backward.kwargs) == ("obj.backward", [{"var": "loss"}],
                                                               {"scale": {"input": "call.scale"}})
    assert (backward.save, backward.observe, probe.timeout) == ("result", "result", 3)
    tensors = inputs_of(probe)
    assert tensors["attr.W1"].dtype == torch.float64 and tensors["attr.W1"].shape == (6, 4)
    assert ((tensors["call.scale"] >= 2) & (tensors["call.scale"] < 3)).all()


def test_attributes_without_an_object_are_module_globals():
    spec = make_spec("value", attributes={"W1": {"tensor": [2, 2]}}, read="W1")
    steps = plan_of(spec).student[0].steps
    assert [(s.set, s.read) for s in steps] == [("W1", None), (None, "W1")]


def test_a_driver_gets_the_named_function_or_the_module():
    spec = make_spec("value", driver="linear_fit", call="train_linear", driver_args={"epochs": 10})
    probe = build_probe(spec, 0, context())
    read, drive = probe.steps
    assert (read.read, read.save) == ("train_linear", "subject")
    assert (drive.driver, drive.args, drive.kwargs) == ("linear_fit", [{"var": "subject"}],
                                                        {"epochs": 10, "seed": probe.seed})
    assert (drive.save, drive.observe) == ("result", "result")
    (drive,) = build_probe(make_spec("value", driver="linear_fit"), 0, context()).steps
    assert drive.args == [{"module": True}]


def test_the_rubric_is_told_which_dimension_is_unknown():
    with pytest.raises(ValidationError, match="tensor dimension 'd9' is not in `dims`"):
        make_spec("value", call="f", args=[{"tensor": ["d9"]}])
    with pytest.raises(ValidationError, match="dimension 'h' is not in `dims`"):
        make_spec("value", object={"class": "MLP", "args": [{"dim": "h"}]}, call="f")
    with pytest.raises(ValidationError, match="dims.d must be a non-empty list"):
        make_spec("value", call="f", dims={"d": []})
    with pytest.raises(ValidationError, match="unknown driver 'train'"):
        make_spec("value", driver="train")
