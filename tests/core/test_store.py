"""The BatchStore: where each file of --out lives and which stored results are current."""
from __future__ import annotations

import json

from grader.results import Result
from grader.store import BatchStore


def _result(student: str, fingerprint: str) -> Result:
    return Result(student=student, assignment="a", total=1, max_total=2, questions=[], sandbox=[],
                  grader_version="t", fingerprint=fingerprint)


def test_a_result_is_current_only_under_its_own_fingerprint(tmp_path):
    store = BatchStore(tmp_path)
    store.save(_result("alice", "f1"))
    store.save(_result("bob", "old"))
    assert store.is_current("alice", "f1") is not None
    assert store.is_current("alice", "f2") is None
    assert set(store.current({"alice": "f1", "bob": "new", "carol": "f3"})) == {"alice"}


def test_unreadable_results_and_partial_writes_count_as_not_graded(tmp_path):
    store = BatchStore(tmp_path)
    store.result_path("alice").parent.mkdir(parents=True)
    store.result_path("alice").write_text("{not json")
    (store.out / "results" / ".bob.json.123.tmp").write_text("half")
    assert store.load("alice") is None and store.current({"alice": "x"}) == {}
    assert store.remove_partial_writes() == 1


def test_reports_share_the_results_file_stem_and_the_manifest_round_trips(tmp_path):
    store = BatchStore(tmp_path)
    name = "=HYPERLINK(\"x\")/../evil"
    assert store.result_path(name).stem == store.report_path(name).stem
    assert store.result_path(name).parent == tmp_path / "results"
    assert store.read_manifest() is None
    store.write_manifest("a", "local", {"alice": "f1"})
    manifest = store.read_manifest()
    assert {k: manifest[k] for k in ("assignment", "executor", "students", "failed", "finished")} == {
        "assignment": "a", "executor": "local", "students": {"alice": "f1"}, "failed": [], "finished": False}
    store.write_manifest("a", "local", {"alice": "f1"}, failed=["alice"])
    assert json.loads(store.manifest_path.read_text())["finished"] is True
