"""The ``grade`` script starts a fork server before the grader's own imports when the command grades here."""
from __future__ import annotations

import subprocess
import sys

import pytest

from grader.script import grades_here_with_a_fork_server
from grader.sandbox.parent import pool
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("argv, early", [
    (["batch", "hw1", "subs"], True),
    (["--local"], True),
    (["local", "folder", "--html"], True),
    (["batch", "hw1", "subs", "--launcher", "spawn"], False),
    (["batch", "hw1", "subs", "--launcher=spawn"], False),
    (["batch", "hw1", "subs", "--executor", "slurm"], False),
    (["batch", "hw1", "subs", "--executor=submitit-local"], False),
    (["batch", "hw1", "subs", "--executor", "local"], True),
    (["reference", "hw1"], False),
    (["status", "marks"], False),
    ([], False),
])
def test_which_commands_start_a_fork_server_early(argv, early):
    assert grades_here_with_a_fork_server(argv) is early


def test_the_launcher_adopts_the_fork_server_started_early():
    pool.start_early()
    early = pool._early[0]
    with pool.ForkServerLauncher(2) as launcher:
        assert launcher._all == [early] and not pool._early  # one fork server serves both workers
    assert early.proc.poll() is not None  # closed with the launcher


def test_python_dash_m_grader_is_the_grade_script(tmp_path):
    version = subprocess.run([sys.executable, "-m", "grader", "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("grade ")
    # a usage error after the early start: the unused fork server ends with the command, which does not wait for it
    missing = subprocess.run([sys.executable, "-m", "grader", "batch", "comp4901y-hw1", str(tmp_path / "nothing")],
                             capture_output=True, text=True, timeout=60, cwd=EXAMPLES.parents[1])
    assert missing.returncode == 2 and "nothing" in missing.stdout + missing.stderr


def test_a_batch_tells_the_early_fork_server_its_students_and_rubric(tmp_path, monkeypatch):
    from grader.script import students_and_rubric

    monkeypatch.chdir(tmp_path)
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "hw.yaml").write_text("questions: []\n")
    (tmp_path / "subs").mkdir()
    assert students_and_rubric(["batch", "hw", "subs", "-j", "2"]) == ("subs", str(tmp_path / "rubrics" / "hw.yaml"))
    assert students_and_rubric(["batch", "rubrics/hw.yaml", "subs"]) == ("subs", "rubrics/hw.yaml")
    assert students_and_rubric(["batch", "hw", "moodle.zip"]) is None  # not a folder: no guess
    assert students_and_rubric(["batch", "-j", "2", "hw", "subs"]) is None
    assert students_and_rubric(["local"]) is None


def test_the_grade_script_freezes_what_its_verb_imported():
    """The ``grade`` script leaves the objects its imports made to the reference counts: the collector never walks
    torch's millions of objects again (a full pass stalled the batch's start by ~0.1 s); ``main`` called as a
    library function leaves the collector as it is."""
    import gc

    from grader.cli import main

    gc.unfreeze()
    assert main(["status", "--help"]) == 0 and gc.get_freeze_count() == 0
    try:
        assert main(["status", "--help"], freeze_imports=True) == 0
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
