"""A file's child started early, while the worker's previous file runs: it applies its layers and waits for the
word; it imports nothing of the student's before it, leaves without a word, and its file's time starts at the
word. Grading with early starts gives the same marks."""
from __future__ import annotations

import fcntl
import os
import select
import struct
import termios
import time
from pathlib import Path

import pytest

from grader.sandbox.channel import FrameReader
from grader.sandbox.parent.launcher import SpawnLauncher, free_core
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file, start_early
from grader.sandbox.protocol import Probe, Step

STUDENT = "import time\nIMPORTED_AT = time.time()\ndef when():\n    return IMPORTED_AT\n"
PROBES = [Probe(id="when", timeout=5, steps=[Step(call="when", observe="t")])]


def student(tmp_path: Path) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "q.py").write_text(STUDENT)
    return folder


def waiting_bytes(fd: int, seconds: float) -> int:
    """How many bytes the child has sent, left in the pipe for the parent to read, once any came."""
    select.select([fd], [], [], seconds)
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def frames_within(fd: int, seconds: float) -> list[bytes]:
    """The kinds of the frames the child sends within ``seconds`` (or until it closes the channel)."""
    reader, kinds, deadline = FrameReader(1 << 20, max_frames=10), [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and select.select([fd], [], [], left)[0]:
        data = os.read(fd, 1 << 16)
        if not data:
            break
        kinds += [frame.kind for frame in reader.feed(data)]
    return kinds


@pytest.fixture(params=["fork-server", "spawn"])
def launcher(request):
    with (ForkServerLauncher(1) if request.param == "fork-server" else SpawnLauncher()) as started:
        yield started


def test_an_early_child_applies_its_layers_and_imports_only_at_the_word(tmp_path, launcher):
    folder = student(tmp_path)
    early = start_early("q.py", folder, PROBES, launcher=launcher, import_timeout=1.0)
    assert early is not None
    layers = waiting_bytes(early.channel_r, 30.0)  # the layers' frame, left for the run to read
    assert layers > 0
    time.sleep(1.5)
    assert waiting_bytes(early.channel_r, 0) == layers  # no import report: it waits, past its import timeout too
    told = time.time()
    obs = run_file("q.py", folder, PROBES, launcher=launcher, import_timeout=1.0, early=early)
    assert obs.imported.status == "ok", obs.imported
    assert obs.probes["when"].values["t"].number >= told  # the file ran after the word
    assert {"network-namespace", "tmpfs-quota"} <= set(obs.imported.sandbox) or os.geteuid() != 0


def test_an_early_child_without_the_word_leaves_before_the_student_s_code(tmp_path):
    folder = student(tmp_path)
    with ForkServerLauncher(1) as launcher:
        early = start_early("q.py", folder, PROBES, launcher=launcher)
        assert frames_within(early.channel_r, 5.0) == [b"L"]
        os.close(early.go_w)  # what cancelling does first: the pipe closes without a word
        early.told = True
        assert frames_within(early.channel_r, 5.0) == []  # it ended without an import report
        early.cancel()


def test_an_early_child_runs_the_file_as_a_child_started_at_its_turn(tmp_path):
    folder = student(tmp_path)
    (folder / "q.py").write_text("import torch\ndef f(x):\n    return (x * 3).sum()\n")
    from grader.sandbox.protocol import InputSpec

    probes = [Probe(id=f"f{i}", seed=i, inputs={"x": InputSpec(shape=[4])},
                    steps=[Step(call="f", args=[{"input": "x"}], observe="y")]) for i in range(3)]
    with ForkServerLauncher(1) as launcher:
        plain = run_file("q.py", folder, probes, launcher=launcher)
        early = start_early("q.py", folder, probes, launcher=launcher)
        started = run_file("q.py", folder, probes, launcher=launcher, early=early)
    for probe in probes:
        assert started.probes[probe.id].status == plain.probes[probe.id].status == "ok"
        assert started.probes[probe.id].values["y"].tensor.item() == plain.probes[probe.id].values["y"].tensor.item()
    assert started.imported.sandbox == plain.imported.sandbox


def test_no_early_child_for_a_file_that_would_not_run(tmp_path):
    folder = student(tmp_path)
    with ForkServerLauncher(1) as launcher:
        assert start_early("missing.py", folder, PROBES, launcher=launcher) is None


def test_early_starts_only_where_a_core_is_free(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert free_core(1) and not free_core(2) and not free_core(4)
    assert SpawnLauncher(1).early_starts and not SpawnLauncher(2).early_starts
