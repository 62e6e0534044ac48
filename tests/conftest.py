"""Shared fixtures: an isolated reference cache, the project's paths, the graded examples of each assignment."""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "submissions_example" / "comp4901y-hw1"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read or write the user's reference cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GRADER_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


def some_examples(folder: Path, names: list[str]) -> Path:
    """``folder`` holding a copy of the named comp4901y-hw1 examples only: for tests of how a batch runs, which
    need a few submissions, not every example's two epochs of question 3."""
    for name in names:
        shutil.copytree(EXAMPLES / name, folder / name)
    return folder


def _once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], int]) -> tuple[int, Path]:
    """``make(folder)``'s exit code and ``folder``, made once per test run: the first of pytest-xdist's workers to
    ask makes it, the others wait for it and read it (the folder is read, never written, by the tests)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    folder, code = base / name, base / f"{name}.exit-code"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not code.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            code.write_text(str(make(folder)))
    return int(code.read_text()), folder


def _batch_of_examples(assignment: str, examples: Path) -> Callable[[Path], int]:
    def batch(out: Path) -> int:
        from grader.cli import main

        return main(["batch", assignment, str(examples), "--out", str(out)])
    return batch


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """``grade batch comp4901y-hw1 submissions_example/comp4901y-hw1`` once per test run."""
    return _once_per_run(tmp_path_factory, "marks-comp4901y-hw1", _batch_of_examples("comp4901y-hw1", EXAMPLES))


@pytest.fixture(scope="session")
def example_batch(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[int, Path]]:
    """``example_batch(assignment)``: ``grade batch`` of that assignment's shipped examples, once per test run
    (comp4901y-hw1's is ``graded_examples``); returns the exit code and the marks folder."""
    def batch(assignment: str) -> tuple[int, Path]:
        if assignment == "comp4901y-hw1":
            return request.getfixturevalue("graded_examples")
        return _once_per_run(tmp_path_factory, f"marks-{assignment}",
                             _batch_of_examples(assignment, ROOT / "submissions_example" / assignment))
    return batch


def check_points(result: dict, visibility: str | None = None) -> dict[tuple[str, str], float]:
    """``{(question, check): points}`` of a stored result, optionally of one visibility only."""
    return {(q["id"], c["id"]): c["points"] for q in result["questions"] for c in q["checks"]
            if visibility is None or c["visibility"] == visibility}


def run_with_course_env(code: str, folder: Path, offline_root: str | None = None) -> str:
    """Run ``code`` after ``environment.install()`` in a fresh interpreter (its patches never leak into
    pytest); returns what it printed."""
    script = f"from grader.course import environment\nenvironment.install({offline_root!r})\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


SLURM_TESTS = "tests/slurm/"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Slurm tests first: on two workers (pytest-xdist, ``-n 2``) they are the longest share of one worker."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLURM_TESTS))


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under pytest-xdist: each test file whole on one worker (its module fixtures made once), and every Slurm
    test on the same worker, since they share one cluster."""
    from xdist.scheduler import LoadScopeScheduling

    class FileScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return SLURM_TESTS if path.startswith(SLURM_TESTS) else path

    return FileScheduling(config, log)
