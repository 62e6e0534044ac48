"""A question's probes travel to the fork server once, named by their hash: parsed there for every child forked
after, read by a child forked before, and refused when changed after the grader wrote them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.sandbox.parent import probe_sets
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import InputSpec, Probe, Step


def question(n: int = 3) -> list[Probe]:
    return [Probe(id=f"add.t{i}", seed=i, timeout=5, inputs={"a": InputSpec(shape=[2]), "b": InputSpec(shape=[2])},
                  steps=[Step(call="add", args=[{"input": "a"}, {"input": "b"}], observe="out")]) for i in range(n)]


@pytest.fixture
def fresh(monkeypatch):
    """This process's parsed sets emptied, as in a fork server just started."""
    monkeypatch.setattr(probe_sets, "_parsed", type(probe_sets._parsed)())


def test_a_set_is_written_once_and_read_back_equal(tmp_path, fresh):
    written: set[str] = set()
    key, path = probe_sets.write(question(), str(tmp_path), written)
    assert probe_sets.write(question(), str(tmp_path), written) == (key, path) and written == {key}
    assert sorted(os.listdir(tmp_path)) == [f"probes-{key}.json"]  # no temporary file left
    assert probe_sets.probes(key, path) == question()
    other, _ = probe_sets.write(question(2), str(tmp_path), written)
    assert other != key


def test_a_set_changed_after_it_was_written_is_refused_and_never_remembered(tmp_path, fresh):
    key, path = probe_sets.write(question(), str(tmp_path), set())
    changed = Path(path).read_text().replace('"add"', '"open"')
    Path(path).write_text(changed)
    with pytest.raises(probe_sets.ProbeSetError, match="changed after the grader wrote them"):
        probe_sets.probes(key, path)
    probe_sets.remember(key, path)  # the fork server must not hand it to the children it forks later
    with pytest.raises(probe_sets.ProbeSetError):
        probe_sets.probes(key, path)
    os.remove(path)
    with pytest.raises(probe_sets.ProbeSetError, match="could not be read"):
        probe_sets.probes(key, path)


def test_a_remembered_set_needs_its_file_no_more(tmp_path, fresh):
    key, path = probe_sets.write(question(), str(tmp_path), set())
    probe_sets.remember(key, path)
    os.remove(path)
    assert probe_sets.probes(key, path) == question()


def test_children_forked_after_the_first_request_inherit_the_parsed_set(tmp_path):
    """After a question's first files, its probe set's file can go: the spares forked since have it parsed."""
    student = tmp_path / "student"
    student.mkdir()
    (student / "q.py").write_text("def add(a, b):\n    return a + b\n")
    with ForkServerLauncher(1) as launcher:
        for _ in range(3):
            obs = run_file("q.py", student, question(), launcher=launcher)
            assert [obs.probes[p.id].status for p in question()] == ["ok"] * 3
        (zygote,) = launcher._all
        (key,) = zygote.probe_sets
        os.remove(os.path.join(zygote.home, f"probes-{key}.json"))
        obs = run_file("q.py", student, question(), launcher=launcher)
    assert obs.imported.status == "ok"
    for probe in question():
        observed = obs.probes[probe.id]
        assert observed.status == "ok" and observed.values["out"].tensor.shape == (2,)
