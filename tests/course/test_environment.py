"""The course environment inside the child: offline data URLs, headless plotting, torch state restored."""
from __future__ import annotations

import pytest

from grader.course.environment import FIXTURES, fixture_for
from tests.conftest import run_with_course_env

HANDOUT_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases " + "/iris/iris.data"


@pytest.mark.parametrize("url", [HANDOUT_URL, "http://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data",
                                 "https://ARCHIVE.ics.uci.edu/ml/machine-learning-databases/iris/bezdekIris.data",
                                 "https://mlr.cs.umass.edu/ml/machine-learning-databases/iris/iris.data?x=1"])
def test_known_iris_urls_map_to_the_bundled_file(url):
    assert fixture_for(url) == FIXTURES / "iris.data"


@pytest.mark.parametrize("url", ["https://example.org/iris.data", "https://archive.ics.uci.edu/ml/other.data", ""])
def test_other_urls_are_not_served(url):
    assert fixture_for(url) is None


def test_pandas_urllib_and_requests_get_iris_offline_and_other_urls_fail_clearly(tmp_path):
    out = run_with_course_env(f"""
        import urllib.error, urllib.request
        import pandas as pd
        df = pd.read_csv({HANDOUT_URL!r}, header=None)
        print("rows", len(df), sorted(df[4].unique()))
        with urllib.request.urlopen("http://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data") as r:
            print("urllib", r.status, len(r.read().splitlines()))
        try:
            urllib.request.urlopen("https://example.org/data.csv")
        except urllib.error.URLError as exc:
            print("blocked:", exc.reason)
        (open("local.csv", "w")).write("1,2\\n")
        print("local", len(pd.read_csv("local.csv", header=None)))
        try:
            import requests
        except ImportError:
            print("requests", 150)
        else:
            print("requests", len(requests.get({HANDOUT_URL!r}).text.strip().splitlines()))
    """, tmp_path)
    assert "rows 150 ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica']" in out
    assert "urllib 200 151" in out  # 150 rows and the file's closing blank line
    assert "blocked: grading runs without network, so https://example.org/data.csv cannot be downloaded" in out
    assert "local 1" in out and "requests 150" in out


def test_latex_and_pgf_plotting_is_neutralised(tmp_path):
    out = run_with_course_env("""
        import matplotlib
        matplotlib.use("pgf")
        import matplotlib.pyplot as plt
        plt.rcParams.update({"text.usetex": True, "pgf.texsystem": "pdflatex"})
        plt.rc("text", usetex=True)
        plt.plot([1, 2], [3, 4], label=r"$\\hat{U}$")
        plt.legend()
        plt.savefig("figure.pgf")
        plt.savefig("figure.png")
        print("backend", matplotlib.get_backend().lower(), "usetex", plt.rcParams["text.usetex"])
    """, tmp_path)
    assert "backend agg usetex False" in out
    assert "not saving figure.pgf" in out
    assert (tmp_path / "figure.png").read_bytes()[:4] == b"\x89PNG"
    assert not (tmp_path / "figure.pgf").exists()


def test_torch_state_is_restored_to_what_the_import_left():
    import torch

    from grader.course.environment import TorchState

    threads, dtype = torch.get_num_threads(), torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)  # what a student's script does at import
        state = TorchState.capture(torch, threads=1)
        torch.set_default_dtype(torch.float16)  # what a probe then changes
        torch.set_grad_enabled(False)
        torch.set_num_threads(2)
        state.restore(torch)
        assert torch.get_default_dtype() == torch.float64
        assert torch.is_grad_enabled() and torch.get_num_threads() == 1
    finally:
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(True)
        torch.set_num_threads(threads)
