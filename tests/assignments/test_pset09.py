"""pset09-autodiff: the data generator, the 80:10:10 split and the answer key, checked independently."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
import torch

from grader.course.drivers import noisy_line
from tests.conftest import ROOT

REFERENCE = ROOT / "reference" / "pset09-autodiff"


def test_shipped_data_is_what_the_generator_makes(tmp_path):
    subprocess.run([sys.executable, str(REFERENCE / "make_data.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("X.pt", "y.pt"):
        made = torch.load(tmp_path / name)
        assert torch.equal(made, torch.load(REFERENCE / name))
        assert torch.equal(made, torch.load(ROOT / "starter" / "pset09-autodiff" / name)), "students get the same data"
    X, y = noisy_line()
    assert X.shape == (1000, 1) and torch.equal(X, torch.load(REFERENCE / "X.pt"))
    fitted = torch.linalg.lstsq(torch.cat([X, torch.ones_like(X)], 1), y).solution.flatten()
    assert fitted.tolist() == pytest.approx([2.0, -1.0], abs=0.05), "a noisy line of slope 2, bias -1"


def test_split_is_sklearns_train_test_split():
    sklearn = pytest.importorskip("sklearn.model_selection", reason="scikit-learn is in the [test] extra")
    sys.path.insert(0, str(REFERENCE))
    try:
        from answers import split_80_10_10
    finally:
        sys.path.remove(str(REFERENCE))
    X, y = torch.load(REFERENCE / "X.pt"), torch.load(REFERENCE / "y.pt")
    X_train, X_rest, y_train, y_rest = sklearn.train_test_split(X.numpy(), y.numpy(), test_size=0.2, random_state=42)
    X_val, X_test, y_val, y_test = sklearn.train_test_split(X_rest, y_rest, test_size=0.5, random_state=42)
    (a, b), (c, d), (e, f) = split_80_10_10(X, y)
    for ours, theirs in ((a, X_train), (b, y_train), (c, X_val), (d, y_val), (e, X_test), (f, y_test)):
        assert torch.equal(ours, torch.from_numpy(theirs))


@pytest.mark.slow
def test_answer_key_agrees_with_closed_forms(tmp_path):
    run = subprocess.run([sys.executable, "answers.py", "--seeds", "3", "--plot", str(tmp_path / "m.png")],
                         cwd=REFERENCE, check=True, capture_output=True, text=True)
    key = json.loads(run.stdout)
    p1 = key["problem1"]
    x, y, s = 1.376, 2.123, 1 / (1 + math.exp(-0.173))
    assert p1["1.1"] == pytest.approx(2 * 2 * 3 / (3**2 + 4) ** 2, rel=1e-5)  # f' = 4(5-x)/((5-x)^2+4)^2
    assert p1["1.3 df1/dx"] == pytest.approx(2 * x, rel=1e-5)
    assert p1["1.3 df2/dy"] == pytest.approx(4 * x**2 * y, rel=1e-5)
    assert p1["1.4"] == pytest.approx(2 * 3.0)  # grad trace(A^2) = 2 A^T; [0, 1] is 2 A[1, 0]
    assert p1["1.5 first"] == pytest.approx(s * (1 - s), rel=1e-5)
    assert p1["1.5 second"] == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-4)
    p2 = key["problem2"]
    assert p2["2.1 slope"]["min"] <= p2["2.1 slope"]["median"] <= p2["2.1 slope"]["max"]
    assert p2["2.1 slope"]["median"] == pytest.approx(1.9726, abs=0.02), "the least-squares slope of the data"
    assert 0 <= p2["2.3 val argmin"]["median"] < 150
    for name in ("2.4 test mse best", "2.4 test mse final"):
        assert 0.15 < p2[name]["median"] < 0.35, "near the noise variance 0.5^2 once the line is fitted"
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
