"""`grade gradescope`: the autograder zip, run against a fake /autograder tree."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest
import torch

from grader.cli import main
from grader.lms.gradescope import gradescope_results
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
        setup = archive.read("setup.sh").decode()
        assert f"torch=={torch.__version__.split('+')[0]} " in setup, "the torch the reference ran under"
        assert "{torch" not in setup
        assert not any(n.startswith(("reference", "rubrics", "submissions_example")) for n in names)
        everything = b"".join(archive.read(n) for n in names)
    reference = (ROOT / "reference" / "mlg-tutorial3" / "tutorial3.py").read_text()
    for line in ("2 * (X.T @ (X @ w) - X.T @ y)", "math.log(1 + math.exp(float(s[1] - s[0])))"):
        assert line in reference and line.encode() not in everything
    assert b"sgd_demo.values" in everything, "hidden checks are graded on Gradescope too"


GRADESCOPE_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                   "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
             "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def _strict_json(text: str) -> dict:
    """results.json as Gradescope's parser takes it: no NaN or Infinity, every string valid UTF-8."""
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    def walk(value):
        if isinstance(value, str):
            value.encode("utf-8")  # a lone surrogate escape would raise here
        for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else []:
            walk(item)
    data = json.loads(text, parse_constant=refuse)
    walk(data)
    return data


def check_gradescope_schema(results: dict) -> None:
    """The fields and values Gradescope's autograder spec allows."""
    assert set(results) <= GRADESCOPE_KEYS and results["stdout_visibility"] in VISIBILITIES
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS and test["visibility"] in VISIBILITIES
        assert isinstance(test["score"], float | int) and 0 <= test["score"] <= test["max_score"]
        assert isinstance(test["name"], str) and isinstance(test["output"], str) and test["output_format"] == "text"
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


def test_run_autograder_writes_gradescope_results(autograder, tmp_path):
    root = tmp_path / "autograder"  # laid out as Gradescope lays out /autograder
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
    (root / "results").mkdir()
    student = ROOT / "submissions_example" / "mlg-tutorial3" / "ben_missing_factor_two" / "tutorial3.py"
    upload = root / "submission" / "hw1" / "hw1"  # a zip of a folder of a folder, made on a Mac
    upload.mkdir(parents=True)
    (upload / "tutorial3.py").write_bytes(student.read_bytes())
    (root / "submission" / "__MACOSX" / "hw1").mkdir(parents=True)
    (root / "submission" / "__MACOSX" / "hw1" / "._tutorial3.py").write_bytes(b"\0\5\26\7")
    metadata = {"id": 123456789, "created_at": "2026-11-25T09:05:00.000000-08:00",
                "assignment": {"id": 654321, "title": "Tutorial 3", "total_points": "10.0"},
                "users": [{"email": "bob.oneil@uni.example", "id": 1111, "name": "Bob O'Neil"},
                          {"email": "zoe.nunez@uni.example", "id": 2222, "name": "Zoë Núñez"}],
                "previous_submissions": []}
    (root / "submission_metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = _strict_json((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_gradescope_schema(results)
    assert results["score"] == 8 and sum(t["max_score"] for t in results["tests"]) == 10
    visibility = {t["name"]: t["visibility"] for t in results["tests"]}
    assert visibility["tutorial3: sgd_demo(steps=30, lr=0.05, seed=7): the tutorial's loop, step for step"] == \
        "after_published"
    failed = next(t for t in results["tests"] if t["name"].startswith("tutorial3: mse_grad_analytic(X, w, y)"))
    assert failed["score"] == 0 and "values differ" in failed["output"]


def test_hostile_messages_make_valid_results_json():
    result = Result.model_validate({
        "student": "submission", "assignment": "a", "total": 0.5, "max_total": 2, "sandbox": [], "grader_version": "0",
        "questions": [{"id": "q", "points": 0.5, "max_points": 2, "checks": [
            {"id": "c", "kind": "value", "points": 0.5, "max_points": 1, "status": "partial",
             "message": "raised ValueError('\udcff\ud800 <script>alert(1)</script> [/x]')"},
            {"id": "d", "kind": "value", "points": 0, "max_points": 1, "status": "error", "message": "x" * 10**6,
             "visibility": "hidden"}]}]})
    results = _strict_json(json.dumps(gradescope_results(result, 1.0)))
    check_gradescope_schema(results)
    assert "<script>alert(1)</script> [/x]" in results["tests"][0]["output"]
    assert len(results["tests"][1]["output"]) < 25_000 and "characters cut" in results["tests"][1]["output"]


@pytest.mark.slow
def test_manual_checks_are_left_to_gradescope(graded_examples):
    _, out = graded_examples
    result = Result.model_validate_json((out / "results" / "alice_correct.json").read_text())
    converted = gradescope_results(result, 1.0)
    assert converted["score"] == 60 and not any("question4" in t["name"] for t in converted["tests"])
