"""Scenario arguments: integer and index tensors, bounds and sizes named from ``dims``, derived and literal sizes."""
from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from grader.checks.arguments import eval_size, size_names
from grader.checks.scenario import build_probe, trial_sizes
from tests.checks.conftest import context, inputs_of, make_spec

EMBED = {"object": {"class": "Model", "args": [{"dim": "vocab"}, {"dim": "d"}]}, "call": "forward",
         "args": [{"tensor": ["b", "t"], "dtype": "int64", "high": "vocab"}],
         "dims": {"b": [1, 4], "t": [1, 7], "vocab": [2, 5, 11], "d": [3]}, "trials": 30}


def test_index_tensors_stay_inside_a_vocabulary_drawn_per_trial():
    spec = make_spec("value", **EMBED)
    seen = set()
    for trial in range(spec.trials):
        probe = build_probe(spec, trial, context())
        sizes = trial_sizes(spec, probe.seed)
        ids = inputs_of(probe)["call.arg0"]
        assert ids.dtype == torch.int64 and tuple(ids.shape) == (sizes["b"], sizes["t"])
        assert int(ids.min()) >= 0 and int(ids.max()) < sizes["vocab"], "ids outside [0, vocab)"
        assert probe.steps[0].args == [sizes["vocab"], 3]
        seen |= set(ids.flatten().tolist())
    assert seen == set(range(11)), "every id of the largest vocabulary is drawn somewhere"


def test_low_and_derived_sizes_evaluate_per_trial():
    spec = make_spec("value", call="f", dims={"f": [2, 3], "d": [4, 5], "h": [1]}, trials=8,
                     args=[{"tensor": ["f*d", "h", 2]}, {"tensor": ["d"], "dtype": "int32", "low": "h", "high": "d+h"},
                           {"dim": "f*d-1"}])
    for trial in range(spec.trials):
        probe = build_probe(spec, trial, context())
        sizes = trial_sizes(spec, probe.seed)
        flat, ids = inputs_of(probe)["call.arg0"], inputs_of(probe)["call.arg1"]
        assert tuple(flat.shape) == (sizes["f"] * sizes["d"], 1, 2) and flat.dtype == torch.float32
        assert ids.dtype == torch.int32 and int(ids.min()) >= 1 and int(ids.max()) <= sizes["d"]
        assert probe.steps[-1].args[2] == sizes["f"] * sizes["d"] - 1


def test_bool_masks_and_floats_drawn_as_integers():
    spec = make_spec("value", call="f", args=[{"tensor": [200], "dtype": "bool"},
                                              {"tensor": [200], "distribution": "randint", "low": -2, "high": 3}])
    tensors = inputs_of(build_probe(spec, 0, context()))
    assert tensors["call.arg0"].dtype == torch.bool and 50 < int(tensors["call.arg0"].sum()) < 150
    values = tensors["call.arg1"]
    assert values.dtype == torch.float32 and set(values.tolist()) == {-2.0, -1.0, 0.0, 1.0, 2.0}


@pytest.mark.parametrize("arg, expected", [
    ({"tensor": [3], "dtype": "int64", "distribution": "normal", "high": 5}, "use `distribution: randint`"),
    ({"tensor": [3], "dtype": "int64", "distribution": "uniform", "high": 5}, "cannot be drawn from a uniform"),
    ({"tensor": [3], "dtype": "int64"}, "add `high:`"),
    ({"tensor": [3], "low": 0, "high": 2}, "add `distribution: uniform`"),
    ({"tensor": [3], "dtype": "bool", "high": 2}, "fair coin"),
    ({"tensor": ["n**2"]}, "arithmetic on them with + - * //"),
    ({"tensor": ["__import__('os')"]}, "is not a name from `dims`"),
    ({"tensor": [-1]}, "size -1 is negative"),
    ({"tensor": [3], "dtype": "int64", "high": "vocab"}, "'vocab' is not in `dims`"),
    ({"tensor": ["f*m"]}, "tensor dimension 'm' is not in `dims`"),
    ({"dim": "n+k"}, "dimension 'k' is not in `dims`"),
])
def test_incoherent_tensors_are_refused_with_the_fix(arg, expected):
    with pytest.raises(ValidationError) as info:
        make_spec("value", call="f", args=[arg], dims={"n": [1], "f": [2]})
    assert expected in str(info.value)


def test_a_mapping_argument_is_judged_by_its_telling_key_only():
    with pytest.raises(ValidationError) as info:
        make_spec("value", call="f", args=[{"tensor": [3], "dtyp": "int64"}])
    assert info.value.error_count() == 1 and info.value.errors()[0]["loc"][-2:] == ("tensor", "dtyp")
    with pytest.raises(ValidationError) as info:
        make_spec("value", call="f", args=[{"tensr": [3]}])
    assert info.value.error_count() == 1 and "needs one of `tensor:`, `var:` or `dim:`" in str(info.value)
    with pytest.raises(ValidationError) as info:
        make_spec("value", call="f", args=[["a", "b"]])
    assert info.value.error_count() == 1 and "a list of numbers" in str(info.value)


def test_literals_keep_their_type():
    spec = make_spec("value", call="f", args=[3, 3.5, "x", True, None, [1, 2.5]])
    assert build_probe(spec, 0, context()).steps[-1].args == [3, 3.5, "x", True, None, [1, 2.5]]
    assert type(spec.args[0]) is int and type(spec.args[3]) is bool


def test_size_expressions():
    assert size_names("f*d + (h//2)") == {"f", "d", "h"} and size_names(4) == set()
    assert eval_size("f*d + (h//2) - 1", {"f": 2, "d": 3, "h": 5}) == 7
    assert eval_size(2.5, {}) == 2.5
