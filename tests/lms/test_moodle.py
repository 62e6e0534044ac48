"""Moodle round trip: the submissions zip in every layout (hostile entries refused), worksheet and feedback out."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
import stat
import zipfile

import pytest

from grader.lms import moodle_zip
from grader.cli import main
from grader.store import BatchStore
from tests.conftest import ROOT

EXAMPLES = ROOT / "submissions_example" / "mlg-tutorial3"
WORKSHEET = ROOT / "tests" / "fixtures" / "moodle" / "grading_worksheet_en.csv"
# Moodle id, full name, example folder, layout. Moodle's clean_filename drops the apostrophe of O'Neil.
STUDENTS = [(1234567, "Ada Correct", "ada_correct", "folder"),
            (1234568, "Bob ONeil", "ben_missing_factor_two", "old-folder"),
            (1234569, "Zoë Núñez", "cleo_no_zero_grad", "flat"), (1234570, "Dan Auto", "dan_no_autograd", "own-zip"),
            (1234572, "Fay Locked", "ada_correct", "folder"), (1234575, "Mal Icious", None, "broken-zip")]
MARKS = {"Ada Correct_1234567": 10, "Bob ONeil_1234568": 8, "Zoë Núñez_1234569": 9, "Dan Auto_1234570": 8,
         "Fay Locked_1234572": 10, "Mal Icious_1234575": 0}


def _own_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as inner:
        inner.write(EXAMPLES / "dan_no_autograd" / "tutorial3.py", "hw/hw/tutorial3.py")
        inner.writestr("__MACOSX/hw/._tutorial3.py", "resource fork")
    return buffer.getvalue()


def make_moodle_zip(path) -> None:
    """A 'Download all submissions' zip in each layout Moodle writes, plus hostile entries."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for moodle_id, name, example, layout in STUDENTS:
            source = (EXAMPLES / example / "tutorial3.py").read_bytes() if example else b""
            if layout == "folder":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file/tutorial3.py", source)
            elif layout == "old-folder":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file_/tutorial3.py", source)
            elif layout == "flat":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file_tutorial3.py", source)
            elif layout == "own-zip":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file/hw1.zip", _own_zip())
            else:
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file/hw1.zip", b"PK\x03\x04 not a zip")
        archive.writestr("../../escaped.py", "print('zip slip')")
        archive.writestr("/etc/cron.d/evil", "absolute")
        archive.writestr("[/x] [bold]not a submission.txt", "markup in a name")
        link = zipfile.ZipInfo("Ada Correct_1234567_assignsubmission_file/secrets")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/shadow")
        archive.writestr("Bob ONeil_1234568_assignsubmission_file_/bomb.bin", b"\0" * (8 << 20))


@pytest.fixture(scope="module")
def moodle_batch(tmp_path_factory):
    work = tmp_path_factory.mktemp("moodle")
    make_moodle_zip(work / "submissions.zip")
    shutil.copy(WORKSHEET, work / "grading_worksheet.csv")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["batch", "mlg-tutorial3", str(work / "submissions.zip"), "--out", str(work / "out"),
                     "--worksheet", str(work / "grading_worksheet.csv")])
    return code, work, stdout.getvalue()


def test_every_layout_is_graded_and_nothing_escapes(moodle_batch):
    code, work, printed = moodle_batch
    assert code == 0
    results = {r.student: r for r in BatchStore(work / "out").load_all()}
    assert {student: r.total for student, r in results.items()} == MARKS
    assert not any(p.name == "escaped.py" for p in work.parent.rglob("escaped.py"))
    assert not (work / "out" / "submissions" / "Ada Correct_1234567" / "secrets").exists()
    assert not (work / "out" / "submissions" / "Bob ONeil_1234568" / "bomb.bin").exists()
    refused = json.loads((work / "out" / "intake.json").read_text())["refused"]
    reasons = " | ".join(refused)
    assert "../../escaped.py refused: a path that leaves its folder" in reasons
    assert "/etc/cron.d/evil refused: an absolute path" in reasons
    assert "secrets refused: a symbolic link" in reasons
    assert "bomb.bin refused: compressed more than 200:1" in reasons
    assert "Mal Icious_1234575/hw1.zip: not a readable zip" in reasons
    assert "refused: submissions.zip: [/x] [bold]not a submission.txt ignored: not a Moodle submission name" in printed
    assert sorted(p.name for p in (work / "out" / "submissions" / "Dan Auto_1234570").iterdir()) == ["tutorial3.py"]


def test_worksheet_is_filled_and_other_columns_kept(moodle_batch):
    _, work, printed = moodle_batch
    with (work / "grading_worksheet.csv").open(encoding="utf-8-sig") as handle:
        before = list(csv.DictReader(handle))
    with (work / "out" / "moodle" / "grading_worksheet.csv").open(encoding="utf-8-sig") as handle:
        after = list(csv.DictReader(handle))
    assert [r["Identifier"] for r in after] == [r["Identifier"] for r in before]
    for old, new in zip(before, after):
        for column in ("Status", "Maximum grade", "Grade can be changed", "Last modified (submission)"):
            assert new[column] == old[column]
    grades = {r["Full name"]: r["Grade"] for r in after}
    assert grades == {"Ada Correct": "50.00", "Bob O'Neil": "40.00", "Zoë Núñez": "45.00", "Dan Auto": "40.00",
                      "Eve Absent": "", "Fay Locked": "42.50", "'=HYPERLINK(\"http://evil.example\",\"Click\")": ""}
    ada = after[0]
    assert ada["Last modified (grade)"].endswith(("AM", "PM")) and "Total 10 / 10" in ada["Feedback comments"]
    assert after[4]["Last modified (grade)"] == "-" and after[4]["Feedback comments"] == ""
    assert "not filled: 1 rows say 'Grade can be changed: No'" in printed and "Fay Locked_1234572" in printed


def test_feedback_zip_has_one_report_per_student(moodle_batch):
    _, work, _ = moodle_batch
    with zipfile.ZipFile(work / "out" / "moodle" / "feedback_files.zip") as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{name}_{i}_assignfeedback_file/report.html" for i, name, _, _ in STUDENTS)
        assert "Bob ONeil_1234568" in archive.read("Bob ONeil_1234568_assignfeedback_file/report.html").decode()


def test_entry_cap_refuses_a_whole_student_zip(tmp_path, monkeypatch):
    monkeypatch.setattr(moodle_zip, "MAX_ENTRIES", 20)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for i in range(30):
            archive.writestr(f"file{i}.txt", "x")
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as archive:
        archive.writestr("Zed Many_7_assignsubmission_file/many.zip", inner.getvalue())
        archive.writestr("Zed Many_7_assignsubmission_file/tutorial3.py", "x = 1\n")
    intake = moodle_zip.read_moodle_zip(tmp_path / "all.zip", tmp_path / "out")
    assert intake.students == {"Zed Many_7": ("Zed Many", "7")}
    assert any("30 entries, over the cap of 20" in line for line in intake.refused)
    assert sorted(p.name for p in (tmp_path / "out" / "Zed Many_7").iterdir()) == ["tutorial3.py"]
