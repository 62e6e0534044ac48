"""Scratch folders: removed when done, and what a killed grader left behind removed by the next one."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from grader import scratch

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    """The system's temporary directory pointed at an empty folder, here and in the processes started."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    monkeypatch.setenv("TMPDIR", str(root))
    monkeypatch.setattr(scratch, "_swept", True)  # this process sweeps only where a test says so
    return root


def _age(root: Path, seconds: float = 60.0) -> None:
    """Make every lock file in ``root`` look ``seconds`` old."""
    for lock in root.glob("*.lock"):
        past = time.time() - seconds
        os.utime(lock, (past, past))


def _python(code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, **kwargs)


def test_a_scratch_folder_and_its_lock_go_when_the_block_ends_even_on_an_error(temp_root):
    with pytest.raises(RuntimeError):
        with scratch.scratch_folder("grade-test-") as folder:
            (folder / "inside").write_text("x")
            assert folder.is_dir() and Path(f"{folder}.lock").is_file()
            raise RuntimeError
    assert list(temp_root.iterdir()) == []


def test_a_folder_removed_soon_goes_in_the_background_and_before_the_process_exits(temp_root):
    """The caller does not wait for the removal (a slow disk cannot hold the next file up); however many are
    queued when the process ends normally, none is left."""
    done = _python("""
        import atexit
        import threading
        from grader import scratch
        gate = threading.Event()
        real = scratch.remove_folder
        scratch.remove_folder = lambda folder: (gate.wait(), real(folder))  # the disk as slow as it gets
        first = scratch.make_folder("grade-test-")
        (first / "work").mkdir()
        scratch.remove_folder_soon(first)
        assert first.is_dir()  # not removed yet, and the caller went on
        for _ in range(20):
            scratch.remove_folder_soon(scratch.make_folder("grade-test-"))
        atexit.register(gate.set)  # the disk frees up only as the process exits (handlers run last first)
        print("queued", flush=True)
        """)
    assert done.communicate(timeout=60)[0] == "queued\n" and done.returncode == 0
    assert list(temp_root.iterdir()) == []


def test_what_a_killed_process_left_is_removed_and_a_living_ones_is_kept(temp_root):
    killed = _python("""
        import os, signal
        from grader.scratch import make_folder
        folder = make_folder("grade-test-")
        (folder / "work").mkdir()
        os.kill(os.getpid(), signal.SIGKILL)
        """)
    killed.wait()
    living = _python("""
        import sys
        from grader.scratch import make_folder
        print(make_folder("grade-test-"), flush=True)
        sys.stdin.read()
        """, stdin=subprocess.PIPE)
    kept = Path(living.stdout.readline().strip())
    try:
        left = [p for p in temp_root.iterdir() if p.is_dir() and p != kept]
        assert len(left) == 1  # SIGKILL: the process could not remove its own
        assert scratch.remove_abandoned() == []  # its lock is too young to be taken
        _age(temp_root)
        assert scratch.remove_abandoned() == [left[0].name]
        assert not left[0].exists() and not Path(f"{left[0]}.lock").exists()
        assert kept.is_dir() and Path(f"{kept}.lock").is_file()  # its process still holds the lock
    finally:
        living.communicate("")
    assert kept.is_dir()  # it ended without removing its folder: its lock is no longer held
    assert scratch.remove_abandoned() == [kept.name]
    assert list(temp_root.iterdir()) == []


def test_the_first_folder_a_process_makes_sweeps_first(temp_root, monkeypatch):
    stale = temp_root / "grade-file-old"
    (stale / "work").mkdir(parents=True)
    (temp_root / "grade-file-old.lock").write_text("")
    not_ours = temp_root / "grade-something-without-a-lock"
    not_ours.mkdir()
    _age(temp_root)
    monkeypatch.setattr(scratch, "_swept", False)
    with scratch.scratch_folder("grade-test-"):
        assert not stale.exists()
    assert not_ours.is_dir()  # no lock file: not a scratch folder, never touched


def test_a_killed_grader_leaves_nothing_after_the_next_run(temp_root):
    """A grader killed by SIGKILL in the middle of a file: its fork server's folder and the file's folder stay
    until the next grader's first scratch folder."""
    killed = _python("""
        import os, signal, threading
        from pathlib import Path
        from grader.sandbox.parent.pool import ForkServerLauncher
        from grader.sandbox.parent.runner import run_file
        from grader.sandbox.protocol import Probe, Step
        folder = Path(os.environ["TMPDIR"]).parent / "student"
        folder.mkdir()
        (folder / "q.py").write_text("import time\\ndef f():\\n    time.sleep(60)\\n")
        launcher = ForkServerLauncher(1)
        threading.Timer(8, lambda: os.kill(os.getpid(), signal.SIGKILL)).start()
        run_file("q.py", folder, [Probe(id="p", steps=[Step(call="f")], timeout=60)], launcher=launcher)
        """)
    killed.wait(timeout=120)
    left = sorted(p.name.rstrip("0123456789abcdefghijklmnopqrstuvwxyz_") for p in temp_root.iterdir() if p.is_dir())
    assert left == ["grade-file-", "grade-zygote-"]
    _age(temp_root)
    nxt = _python("""
        from grader.scratch import scratch_folder
        with scratch_folder("grade-test-"):
            pass
        """)
    nxt.wait(timeout=60)
    assert list(temp_root.iterdir()) == []


def test_a_command_that_fails_before_grading_stops_its_early_fork_server(temp_root, tmp_path):
    """``grade batch`` starts a fork server before it reads the rubric; a rubric that does not exist ends the
    command, and the fork server with its folder."""
    (tmp_path / "subs").mkdir()
    done = subprocess.run([sys.executable, "-c", "import sys; from grader.script import console_main; "
                           "sys.argv = ['grade', 'batch', 'no-such-assignment', sys.argv[1]]; console_main()",
                           str(tmp_path / "subs")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert list(temp_root.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_another_users_folders_are_never_taken(temp_root):
    theirs = temp_root / "grade-file-theirs"
    theirs.mkdir()
    lock = temp_root / "grade-file-theirs.lock"
    lock.write_text("")
    os.chown(lock, 65534, 65534)
    _age(temp_root)
    assert scratch.remove_abandoned() == []
    assert theirs.is_dir() and lock.is_file()


def test_a_scratch_name_that_is_a_link_is_never_followed(temp_root, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    (temp_root / "grade-file-link").symlink_to(precious)
    (temp_root / "grade-file-link.lock").write_text("")
    (temp_root / "grade-file-lock-link.lock").symlink_to(precious / "keep.txt")
    (temp_root / "grade-file-lock-link").symlink_to(precious)
    _age(temp_root)
    scratch.remove_abandoned()
    assert (precious / "keep.txt").read_text() == "mine"
