"""Moodle round trip: the submissions zip in every layout (hostile entries refused), worksheet and feedback out."""
from __future__ import annotations

import csv
import io
import json
import stat
import zipfile

import pytest

from grader.cli import main
from grader import moodle_zip
from tests.conftest import ROOT

EXAMPLES = ROOT / "submissions_example" / "mlg-tutorial3"
# Moodle id, full name, example folder, layout
STUDENTS = [(101, "Ada Correct", "ada_correct", "folder"), (102, "Ben Factor", "ben_missing_factor_two", "old-folder"),
            (103, "Cleo Grad", "cleo_no_zero_grad", "flat"), (104, "Dan Auto", "dan_no_autograd", "own-zip")]
MARKS = {"Ada Correct_101": 10, "Ben Factor_102": 8, "Cleo Grad_103": 9, "Dan Auto_104": 8}


def _own_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as inner:
        inner.write(EXAMPLES / "dan_no_autograd" / "tutorial3.py", "hw/tutorial3.py")
        inner.writestr("__MACOSX/hw/._tutorial3.py", "resource fork")
    return buffer.getvalue()


def make_moodle_zip(path) -> None:
    """A 'Download all submissions' zip in each layout Moodle writes, plus hostile entries."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for moodle_id, name, example, layout in STUDENTS:
            source = (EXAMPLES / example / "tutorial3.py").read_bytes()
            if layout == "folder":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file/tutorial3.py", source)
            elif layout == "old-folder":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file_/tutorial3.py", source)
            elif layout == "flat":
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file_tutorial3.py", source)
            else:
                archive.writestr(f"{name}_{moodle_id}_assignsubmission_file/hw1.zip", _own_zip())
        archive.writestr("../../escaped.py", "print('zip slip')")
        archive.writestr("/etc/cron.d/evil", "absolute")
        link = zipfile.ZipInfo("Ada Correct_101_assignsubmission_file/secrets")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/shadow")
        archive.writestr("Ben Factor_102_assignsubmission_file_/bomb.bin", b"\0" * (8 << 20))


@pytest.fixture(scope="module")
def moodle_batch(tmp_path_factory):
    work = tmp_path_factory.mktemp("moodle")
    make_moodle_zip(work / "submissions.zip")
    header = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
              "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
    rows = [[f"Participant {i}", name, f"{i}@uni.example", "Submitted for grading", "", "100.00", "Yes",
             "Monday, 23 November 2026, 9:00 AM", "-", ""] for i, name, _, _ in STUDENTS]
    rows.append(["Participant 105", "Eve Absent", "105@uni.example", "No submission", "", "100.00", "Yes", "-", "-", ""])
    with (work / "grading_worksheet.csv").open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows([header, *rows])
    code = main(["batch", "mlg-tutorial3", str(work / "submissions.zip"), "--out", str(work / "out"),
                 "--worksheet", str(work / "grading_worksheet.csv")])
    return code, work


def test_every_layout_is_graded_and_nothing_escapes(moodle_batch):
    code, work = moodle_batch
    assert code == 0
    results = {p.stem: json.loads(p.read_text()) for p in (work / "out" / "results").glob("*.json")}
    assert {student: r["total"] for student, r in results.items()} == MARKS
    assert not any(p.name == "escaped.py" for p in work.parent.rglob("escaped.py"))
    assert not (work / "out" / "submissions" / "Ada Correct_101" / "secrets").exists()
    assert not (work / "out" / "submissions" / "Ben Factor_102" / "bomb.bin").exists()
    refused = json.loads((work / "out" / "intake.json").read_text())["refused"]
    reasons = " | ".join(refused)
    assert "../../escaped.py refused: a path that leaves its folder" in reasons
    assert "/etc/cron.d/evil refused: an absolute path" in reasons
    assert "secrets refused: a symbolic link" in reasons
    assert "bomb.bin refused: compressed more than 200:1" in reasons
    assert sorted(p.name for p in (work / "out" / "submissions" / "Dan Auto_104").iterdir()) == ["tutorial3.py"]


def test_worksheet_is_filled_and_other_columns_kept(moodle_batch):
    _, work = moodle_batch
    with (work / "grading_worksheet.csv").open(encoding="utf-8-sig") as handle:
        before = list(csv.DictReader(handle))
    with (work / "out" / "moodle" / "grading_worksheet.csv").open(encoding="utf-8") as handle:
        after = list(csv.DictReader(handle))
    assert [r["Identifier"] for r in after] == [r["Identifier"] for r in before]
    for old, new in zip(before, after):
        for column in ("Full name", "Email address", "Status", "Maximum Grade", "Last modified (submission)"):
            assert new[column] == old[column]
    grades = {r["Full name"]: r["Grade"] for r in after}
    assert grades == {"Ada Correct": "100.00", "Ben Factor": "80.00", "Cleo Grad": "90.00", "Dan Auto": "80.00",
                      "Eve Absent": ""}
    ada = after[0]
    assert ada["Last modified (grade)"].endswith(("AM", "PM")) and "Total 10 / 10" in ada["Feedback comments"]
    assert after[-1]["Last modified (grade)"] == "-" and after[-1]["Feedback comments"] == ""


def test_feedback_zip_has_one_report_per_student(moodle_batch):
    _, work = moodle_batch
    with zipfile.ZipFile(work / "out" / "moodle" / "feedback_files.zip") as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{name}_{i}_assignfeedback_file/report.html" for i, name, _, _ in STUDENTS)
        assert "Ben Factor_102" in archive.read("Ben Factor_102_assignfeedback_file/report.html").decode()


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
