"""Shared fixtures: an isolated reference cache, the project's paths, the graded examples of each assignment."""
from __future__ import annotations

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


@pytest.fixture(scope="session")
def graded_examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """``grade batch comp4901y-hw1 submissions_example/comp4901y-hw1`` once per session."""
    from grader.cli import main

    out = tmp_path_factory.mktemp("marks")
    code = main(["batch", "comp4901y-hw1", str(EXAMPLES), "--out", str(out)])
    return code, out


@pytest.fixture(scope="session")
def example_batch(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[int, Path]]:
    """``example_batch(assignment)``: ``grade batch`` of that assignment's shipped examples, once per session
    (comp4901y-hw1's is ``graded_examples``); returns the exit code and the marks folder."""
    done: dict[str, tuple[int, Path]] = {}

    def batch(assignment: str) -> tuple[int, Path]:
        if assignment == "comp4901y-hw1":
            return request.getfixturevalue("graded_examples")
        if assignment not in done:
            from grader.cli import main

            out = tmp_path_factory.mktemp(assignment)
            done[assignment] = main(["batch", assignment, str(ROOT / "submissions_example" / assignment), "--out",
                                     str(out)]), out
        return done[assignment]
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
