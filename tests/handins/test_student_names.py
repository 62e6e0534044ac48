"""Student names the student chose (markup, formulas, lone surrogates, 240 bytes): graded, stored, found again."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
from urllib.parse import unquote

import pytest

from grader.cli import main
from grader.results import Result
from grader.store import BatchStore
from grader.handins.student_names import MAX_NAME_CHARS, MAX_STEM_BYTES, clean_name, storage_name
from grader.handins.submissions import find_submissions
from tests.conftest import ROOT

EXAMPLE = ROOT / "submissions_example" / "mlg-tutorial3" / "ada_correct"
HOSTILE_NAMES = ["[bold]Eve", "x [link=file:evil]y", "é" * 120, "=HYPERLINK(\"evil.example\",\"click\")", "@SUM(1+1)",
                 "-2+3", "+1", "\x1b]0;pwned\x07 Ann", ".hidden start", "a" * 250]
SURROGATE = os.fsdecode(b"bad\xffname")


def _result(student: str, message: str = "ok") -> Result:
    return Result.model_validate({
        "student": student, "assignment": "a", "total": 1.0, "max_total": 2.0, "sandbox": [], "grader_version": "0",
        "questions": [{"id": "q1", "points": 1.0, "max_points": 2.0, "checks": [
            {"id": "c", "kind": "value", "points": 1.0, "max_points": 2.0, "status": "partial", "message": message}]}]})


def test_plain_names_are_their_own_file_names():
    for name in ("alice_correct", "Ada Correct_101", "Zoë Núñez_1234568", "Bob ONeil_1234567"):
        assert storage_name(name) == name


@pytest.mark.parametrize("name", HOSTILE_NAMES + [SURROGATE, "[/x]", "x" * 5000, "a/b", "..", "con\0sole"])
def test_hostile_names_get_bounded_safe_file_names(name):
    stem = storage_name(name)
    assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES and "/" not in stem and "\0" not in stem
    assert not stem.startswith((".", "-")) and stem not in (".", "..")
    stem.encode("utf-8")  # no lone surrogate left
    assert storage_name(name) == stem and storage_name(clean_name(name)) == stem, "stable, same for the stored name"


def test_distinct_names_never_share_a_file():
    names = HOSTILE_NAMES + [SURROGATE, "é" * 121, "[bold]Eve "]
    assert len({storage_name(n) for n in names}) == len(names)


def test_clean_name_keeps_what_it_can_and_marks_what_it_cuts():
    assert clean_name(SURROGATE) == "bad\\xffname"
    assert clean_name("x\ud800y") == "x\\ud800y"
    long = "A" * 3000 + "_123"
    cut = clean_name(long)
    assert len(cut) <= MAX_NAME_CHARS and cut.endswith("_123") and "characters cut" in cut
    assert clean_name(cut) == cut, "idempotent"


def test_results_with_surrogates_and_huge_strings_are_stored_and_found(tmp_path):
    result = _result(SURROGATE, message="raised ValueError('\udcff\ud800') " + "y" * 5_000_000)
    store = BatchStore(tmp_path)
    store.save(result)
    text = store.result_path(SURROGATE).read_text(encoding="utf-8")
    assert len(text) < 100_000 and "characters cut" in text
    again = store.load(SURROGATE)
    assert again is not None and again.student == "bad\\xffname"
    assert "\\xff\\ud800" in again.questions[0].checks[0].message
    assert store.load(again.student) is not None, "the stored (clean) name finds the same file"


def test_file_names_that_are_not_utf8_have_a_digest(tmp_path):
    folder = os.fsencode(tmp_path / "subs" / SURROGATE)
    os.makedirs(folder)
    (tmp_path / "subs" / SURROGATE / os.fsdecode(b"\xff.py")).write_text("x = 1\n")
    os.symlink(b"\xfe", folder + b"/link")
    (submission,) = find_submissions(tmp_path / "subs")
    assert submission.student == SURROGATE and len(submission.digest()) == 64


def _batch(submissions, out):
    return main(["batch", "mlg-tutorial3", str(submissions), "--out", str(out), "-j", "2"])


@pytest.mark.slow
def test_a_batch_of_hostile_names_grades_everyone_twice(tmp_path, capsys):
    submissions = tmp_path / "subs"
    for name in HOSTILE_NAMES + [SURROGATE]:  # the last one is the bytes b"bad\xffname" on disk
        shutil.copytree(EXAMPLE, submissions / name)
    (submissions / SURROGATE / os.fsdecode(b"notes-\xff.txt")).write_text("a file name that is not UTF-8\n")
    expected = len(HOSTILE_NAMES)  # ".hidden start" is skipped as a hidden folder, the surrogate one counts
    out = tmp_path / "out"
    assert _batch(submissions, out) == 0
    first = capsys.readouterr().out
    assert f"Graded {expected} of {expected} submissions" in first
    results = BatchStore(out).load_all()
    assert len(results) == expected and all(r.total == r.max_total for r in results)
    assert sorted(r.student for r in results) == sorted(clean_name(n) for n in HOSTILE_NAMES + [SURROGATE]
                                                        if n != ".hidden start")
    assert _batch(submissions, out) == 0, "a rerun finds every stored result"
    assert f"Graded 0 of {expected} submissions of mlg-tutorial3, {expected} kept" in capsys.readouterr().out
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in re.findall(r'href="reports/([^"]+)"', index):
        assert (out / "reports" / unquote(href)).is_file()
    with (out / "marks.csv").open(encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert "'=HYPERLINK(\"evil.example\",\"click\")" in rows and "'@SUM(1+1)" in rows
    assert "'-2+3" in rows and "+1" in rows, "+1 reads as a number: harmless, kept"
    assert all(float(row["total"]) == 10 for row in rows.values())
    manifest = json.loads((out / "batch.json").read_text())
    assert manifest["finished"] and manifest["failed"] == []
