"""No cap is silent: the reference's values arrive whole, a student's value over a limit fails saying why."""
from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from grader.checks.base import Tolerance
from grader.checks.compare import compare_values
from grader.authoring.reference_calls import call_reference
from grader.sandbox.protocol import Probe, Step
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file

MODULE = textwrap.dedent("""
    import io
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    def picture():
        figure, axes = plt.subplots(figsize=(8, 6), dpi=120)
        rng = np.random.default_rng(0)
        axes.scatter(rng.normal(size=4000), rng.normal(size=4000), s=2, c=rng.random(4000))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()

    def long_text():
        return "".join(chr(0x41 + i % 26) for i in range(50_000))

    def long_list():
        return [i * 0.5 for i in range(25_000)]
""")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("values")
    (path / "values.py").write_text(MODULE)
    return path


@pytest.fixture(scope="module")
def launcher() -> Iterator[ForkServerLauncher]:
    """Children forked from one warm interpreter: which launcher starts them is not what these tests are about."""
    with ForkServerLauncher(1) as pool:
        yield pool


def test_the_reference_side_is_never_cut(folder):
    outcomes = call_reference(folder, "values.py", {"png": ("picture", {}), "text": ("long_text", {}),
                                                    "list": ("long_list", {})})
    data = outcomes["png"].value
    assert isinstance(data, bytes) and len(data) > 10_000, outcomes["png"].problem
    import matplotlib.image

    image = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert image.shape[:2] == (720, 960)  # 8 x 6 inches at 120 dpi: every row decoded
    assert outcomes["text"].value == "".join(chr(0x41 + i % 26) for i in range(50_000))
    assert outcomes["list"].value == [i * 0.5 for i in range(25_000)]


def test_a_students_value_over_a_limit_fails_and_says_why(folder, launcher):
    probes = [Probe(id=name, steps=[Step(call=name, observe="v")]) for name in ("long_text", "long_list")]
    student = run_file("values.py", folder, probes, launcher=launcher)
    reference = run_file("values.py", folder, probes, keep_whole=True, launcher=launcher)
    for name, unit in (("long_text", "50,000 characters, over the limit of 2,000"),
                       ("long_list", "25,000 items, over the limit of 10,000")):
        got, expected = student.probes[name].values["v"], reference.probes[name].values["v"]
        assert got.over_limit and unit in got.describe()
        problem = compare_values(expected, got, Tolerance())
        assert problem is not None and "over the limit" in problem and "not compared" in problem


def test_bytes_compare_whole(folder, launcher):
    probes = [Probe(id="png", steps=[Step(call="picture", observe="v")])]
    reference = run_file("values.py", folder, probes, keep_whole=True, launcher=launcher).probes["png"].values["v"]
    assert reference.type == "bytes" and reference.tensor.dtype == torch.uint8
    assert compare_values(reference, reference, Tolerance()) is None
    changed = reference.model_copy(update={"tensor": reference.tensor.clone()})
    changed.tensor[-1] ^= 1
    assert "differ" in compare_values(reference, changed, Tolerance())
