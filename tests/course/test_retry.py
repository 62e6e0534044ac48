"""Drivers feed the handout's data in the handout's dtype, and again in the student's when their code cannot take
it; a longer tuple is read by its prefix. Both are said (the second is deducted as a deviation)."""
from __future__ import annotations

import pytest
import torch

from grader.course.iris import factorisation_loss
from grader.course.retry import first_items, in_students_dtype, students_dtype
from grader.sandbox.child import adapt

STUDENT = {"torch": torch}
exec(  # a student's module: data converted with .float(), factors from torch.rand, a fused addmm
    "data = torch.ones(3, 2).float()\n"
    "def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):\n"
    "    torch.manual_seed(0)\n"
    "    U = torch.rand(A.shape[0], rank, requires_grad=True)\n"
    "    V = torch.rand(A.shape[1], rank, requires_grad=True)\n"
    "    for _ in range(num_epochs):\n"
    "        loss = (torch.addmm(A, U, V.t(), beta=-1) ** 2).sum()\n"
    "        loss.backward()\n"
    "        with torch.no_grad():\n"
    "            U -= lr * U.grad\n"
    "            V -= lr * V.grad\n"
    "            U.grad.zero_()\n"
    "            V.grad.zero_()\n"
    "    return U, V, 'done'\n", STUDENT)


def test_the_students_dtype_is_read_from_their_own_tensors():
    assert students_dtype(STUDENT["gd_factorise_ad"], torch.float64) == torch.float32
    assert students_dtype(lambda: None, torch.float64) == torch.float32, "torch's default dtype"
    assert students_dtype(lambda: None, torch.float32) == torch.float64


def test_a_dtype_error_on_the_handouts_data_is_retried_in_the_students_dtype_and_said():
    with adapt.noting() as notes:
        loss = factorisation_loss(STUDENT["gd_factorise_ad"], seed=3, num_epochs=20)
    assert 15.2 < loss < 200, "a rank-2 loss of float32 factors on the float64 iris data"
    assert [n["kind"] for n in notes] == ["dtype", "tuple"]
    assert notes[0]["text"].startswith("`gd_factorise_ad` raised RuntimeError (self and mat2 must have the same "
                                       "dtype")
    assert notes[0]["text"].endswith("on the handout's float64 data, so it was run again on the same data in "
                                     "float32, the dtype your code uses")
    assert notes[1]["text"] == ("`gd_factorise_ad` returned 3 items where the handout asks for (U, V); the first 2 "
                                "were graded")


def test_other_errors_are_the_students_and_stand():
    def broken(A):
        raise RuntimeError("index 7 is out of bounds")

    with adapt.noting() as notes, pytest.raises(RuntimeError, match="out of bounds"):
        in_students_dtype(lambda dtype: broken(torch.ones(2, dtype=dtype)), torch.float64, broken, 0)
    assert notes == []


def test_a_failing_retry_reports_the_first_error():
    def float32_only(A):
        raise RuntimeError(f"expected Float but found {A.dtype}")

    with pytest.raises(RuntimeError, match="torch.float64"):
        in_students_dtype(lambda dtype: float32_only(torch.ones(2, dtype=dtype)), torch.float64, float32_only, 0)


def test_a_tuple_of_the_right_length_is_read_as_it_is():
    with adapt.noting() as notes:
        assert first_items((1, 2), 2, "f", "(U, V)") == (1, 2)
        assert first_items([1, 2, 3], 2, "f", "(U, V)") == (1, 2)
    assert len(notes) == 1
