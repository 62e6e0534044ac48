"""`grade gradescope`: the autograder zip, run against a fake /autograder tree."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from grader.cli import main
from grader.gradescope import gradescope_results
from grader.results import Result
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    assert main(["gradescope", "mlg-tutorial3", "--out", str(out)]) == 0
    return out


def test_zip_layout_and_no_reference_source(autograder):
    with zipfile.ZipFile(autograder) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder", "selfcheck/rubric.yaml", "grader-src/pyproject.toml"} <= set(names)
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111, "executable"
        assert not any(n.startswith(("reference", "rubrics", "submissions_example")) for n in names)
        everything = b"".join(archive.read(n) for n in names)
    reference = (ROOT / "reference" / "mlg-tutorial3" / "tutorial3.py").read_text()
    for line in ("2 * (X.T @ (X @ w) - X.T @ y)", "math.log(1 + math.exp(float(s[1] - s[0])))"):
        assert line in reference and line.encode() not in everything
    assert b"sgd_demo.values" in everything, "hidden checks are graded on Gradescope too"


def test_run_autograder_writes_gradescope_results(autograder, tmp_path):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
    (root / "submission" / "upload").mkdir(parents=True)  # uploaded as a folder
    student = ROOT / "submissions_example" / "mlg-tutorial3" / "ben_missing_factor_two" / "tutorial3.py"
    (root / "submission" / "upload" / "tutorial3.py").write_bytes(student.read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 8 and sum(t["max_score"] for t in results["tests"]) == 10
    assert {"score", "execution_time", "output", "stdout_visibility", "tests"} <= set(results)
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "output", "visibility"}
    visibility = {t["name"]: t["visibility"] for t in results["tests"]}
    assert visibility["tutorial3: sgd_demo(steps=30, lr=0.05, seed=7): the tutorial's loop, step for step"] == \
        "after_published"
    failed = next(t for t in results["tests"] if t["name"].startswith("tutorial3: mse_grad_analytic(X, w, y)"))
    assert failed["score"] == 0 and "values differ" in failed["output"]


@pytest.mark.slow
def test_manual_checks_are_left_to_gradescope(graded_examples):
    _, out = graded_examples
    result = Result.model_validate_json((out / "results" / "alice_correct.json").read_text())
    converted = gradescope_results(result, 1.0)
    assert converted["score"] == 60 and not any("question4" in t["name"] for t in converted["tests"])
