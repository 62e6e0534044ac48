"""Tolerance comparisons and their messages."""
from __future__ import annotations

import torch

from grader.checks.base import Tolerance
from grader.checks.compare import compare_tensors, compare_values
from grader.observe import Value

TOL = Tolerance(rtol=1e-5, atol=1e-6)


def test_equal_within_tolerance():
    a = torch.randn(3, 4)
    assert compare_tensors(a, a + 1e-8, TOL) is None


def test_shape_first():
    assert compare_tensors(torch.zeros(2, 3, 4, 5), torch.zeros(2, 3, 5), TOL) == "shape (2, 3, 5), expected (2, 3, 4, 5)"


def test_dtype_second():
    msg = compare_tensors(torch.zeros(2), torch.zeros(2, dtype=torch.float64), TOL)
    assert msg == "dtype float64, expected float32"
    assert compare_tensors(torch.zeros(2), torch.zeros(2, dtype=torch.float64), TOL, check_dtype=False) is None


def test_values_message_gives_index_errors_and_tolerance():
    expected = torch.zeros(2, 3, 4)
    got = expected.clone()
    got[0, 1, 2] = 3e-2
    msg = compare_tensors(expected, got, TOL)
    assert "first at [0, 1, 2]" in msg and "max abs error 0.03" in msg and "rtol=1e-05, atol=1e-06" in msg
    assert msg.startswith("1 of 24 values differ")


def test_nan_and_inf_never_pass():
    expected = torch.ones(3)
    assert "NaN at [1]" in compare_tensors(expected, torch.tensor([1.0, float("nan"), 1.0]), TOL)
    assert compare_tensors(expected, torch.tensor([1.0, float("inf"), 1.0]), TOL) is not None
    assert compare_tensors(torch.tensor([float("inf")]), torch.tensor([float("inf")]), TOL) is None


def test_numpy_array_is_not_a_tensor():
    expected = Value(type="tensor", tensor=torch.ones(2))
    got = Value(type="ndarray", tensor=torch.ones(2, dtype=torch.float64))
    assert compare_values(expected, got, TOL) == "returned a numpy array of shape (2,), float64, expected a torch.Tensor"


def test_tensor_subclass_is_reported():
    expected = Value(type="tensor", tensor=torch.ones(2))
    got = Value(type="tensor", tensor=torch.ones(2), class_name="student.FakeTensor")
    assert "FakeTensor" in compare_values(expected, got, TOL)


def test_numbers_and_lists():
    three = Value(type="number", number=3)
    assert compare_values(three, Value(type="number", number=3.0), Tolerance(rtol=0, atol=0)) is None
    assert compare_values(three, Value(type="str", text="3"), TOL) == "returned a str '3', expected a number"
    pair = Value(type="tuple", items=[three, three])
    assert compare_values(pair, Value(type="list", items=[three]), TOL) == "returned 1 items, expected 2"


def test_numpy_arrays_are_compared_by_value():
    expected = Value(type="ndarray", tensor=torch.tensor([1.0, 2.0], dtype=torch.float64))
    same = Value(type="ndarray", tensor=torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert compare_values(expected, same, TOL) is None
    wrong = Value(type="ndarray", tensor=torch.tensor([1.0, 2.5], dtype=torch.float64))
    assert compare_values(expected, wrong, TOL).startswith("1 of 2 values differ; first at [1]: got 2.5, expected 2")
    assert compare_values(expected, Value(type="ndarray", tensor=torch.zeros(3, dtype=torch.float64)), TOL) == \
        "shape (3,), expected (2,)"
    tensor = Value(type="tensor", tensor=torch.tensor([1.0, 2.0], dtype=torch.float64))
    assert compare_values(expected, tensor, TOL) == ("returned a tensor of shape (2,), float64, expected a numpy "
                                                     "array of shape (2,), float64")


def test_dicts_are_compared_key_by_key():
    def log(**entries) -> Value:
        return Value(type="dict", keys=list(entries), items=[Value(type="number", number=v) for v in entries.values()])

    expected = log(loss=0.5, acc=0.9)
    assert compare_values(expected, log(acc=0.9, loss=0.5), TOL) is None
    assert compare_values(expected, log(loss=0.7, acc=0.9), TOL).startswith("key 'loss': 1 of 1 values differ")
    assert compare_values(expected, log(loss=0.5), TOL) == "has no key 'acc'"
    assert compare_values(expected, log(loss=0.5, acc=0.9, lr=0.1), TOL) == "has a key 'lr' the reference does not have"
    assert compare_values(expected, Value(type="list", items=[]), TOL) == ("returned a list of 0 items, expected a dict "
                                                                        "of 2 items")
