"""Shared fixtures: an isolated reference cache, the project's paths, the graded examples."""
from __future__ import annotations

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
