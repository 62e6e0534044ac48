"""The benchmark's own measures still run against this grader: ``stages.py`` wraps the grader's functions by
name, ``floor.py`` calls the child's per-probe code, and a rename there would otherwise surface only at the next
benchmark run. Nothing here is timed against a target (speed is measured by ``benchmarks/run.py``)."""
from __future__ import annotations

import math
import shutil
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import run as benchmark  # noqa: E402
import stages  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Questions 1 and 2 of comp4901y-hw1, and three submissions: two copies of a correct one and one that fails."""
    folder = tmp_path_factory.mktemp("bench")
    rubric = benchmark.rubric_subset(folder, 2, "q1-q2")
    subs = []
    for index, name in enumerate(["alice_correct", "alice_correct", "carol_wrong_shape"]):
        subs.append(folder / "subs" / f"student_{index}")
        shutil.copytree(benchmark.EXAMPLES / name, subs[-1])
    return rubric, subs


def test_the_floor_is_measured_four_ways_per_question(work):
    rubric, _ = work
    floors = benchmark.harness_floors(rubric)
    assert sorted(floors) == ["question1", "question2"]
    for question, values in floors.items():
        assert len(values) == 4 and all(math.isfinite(v) and v > 0 for v in values), (question, values)


def test_every_stage_of_a_file_is_timed(work):
    rubric, subs = work
    profile = benchmark.stage_profile(subs, rubric)
    assert list(profile) == list(stages.STAGES)
    assert all(math.isfinite(v) and v >= 0 for v in profile.values()), profile
    assert profile["probes: student code"] > 0 and profile["student's import"] > 0


def test_the_overhead_per_file_is_measured_while_the_fork_server_settles_and_after(work):
    rubric, subs = work
    settling, warm = benchmark.steady_overhead(subs, "fork-server", rubric, settling=1)
    assert all(math.isfinite(v) and v > 0 for v in (settling, warm)), (settling, warm)
