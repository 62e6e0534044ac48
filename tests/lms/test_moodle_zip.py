"""Moodle's submissions zip: budgets per student, and one student's hostile archive fails only that student."""
from __future__ import annotations

import io
import zipfile

import pytest

from grader.lms import moodle_zip
from grader.lms.moodle_zip import read_moodle_zip, student_folder

CODE = b"def f():\n    return 1\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bad_utf8_zip() -> bytes:
    """A zip whose entry name claims UTF-8 (flag bit 11) but is not: Python cannot even list it."""
    return _zip({"ÉÉÉÉ.py": CODE}).replace("ÉÉÉÉ".encode(), b"\xff" * 8)


def _encrypted_zip() -> bytes:
    data = bytearray(_zip({"question1.py": CODE}))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # set the "encrypted" flag in both headers
        at = data.find(header)
        flag_at = at + (6 if header == b"PK\x03\x04" else 8)
        data[flag_at] |= 1
    return bytes(data)


def _moodle(tmp_path, entries: dict[str, bytes]):
    archive = tmp_path / "submissions.zip"
    archive.write_bytes(_zip(entries))
    return read_moodle_zip(archive, tmp_path / "out"), tmp_path / "out"


def _files(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_budgets_are_per_student(tmp_path, monkeypatch):
    monkeypatch.setattr(moodle_zip, "MAX_STUDENT_BYTES", 1 << 20)
    big = bytes(range(256)) * 3000  # 768 kB that does not compress
    intake, out = _moodle(tmp_path, {
        "Hog Greedy_1_assignsubmission_file/a.bin": big,
        "Hog Greedy_1_assignsubmission_file/hw.zip": _zip({"b.bin": big}),
        "Ann Next_2_assignsubmission_file/c.bin": big,
        "Ann Next_2_assignsubmission_file/question1.py": CODE})
    assert _files(out / "Ann Next_2") == ["c.bin", "question1.py"], "the next student has a budget of her own"
    assert _files(out / "Hog Greedy_1") == ["a.bin"]
    assert any("Hog Greedy_1/hw.zip: b.bin refused: over the student's size cap of 1 MiB" in line
               for line in intake.refused)
    assert not any("Ann Next_2" in line for line in intake.refused)


@pytest.mark.parametrize("own_zip, reason", [
    (b"this is not a zip", "not a readable zip"),
    (_bad_utf8_zip(), "not a readable zip"),
    (_encrypted_zip(), "encrypted"),
    (_zip({"[/x] [bold]odd.py": CODE, "a": CODE, "a/b.py": CODE, "é" * 200 + ".py": CODE}), "refused"),
])
def test_a_hostile_student_zip_fails_only_that_student(tmp_path, own_zip, reason):
    intake, out = _moodle(tmp_path, {"Mal Icious_3_assignsubmission_file/hw.zip": own_zip,
                                     "Ann Next_2_assignsubmission_file/question1.py": CODE})
    assert set(intake.students) == {"Mal Icious_3", "Ann Next_2"}
    assert _files(out / "Ann Next_2") == ["question1.py"]
    refusals = [line for line in intake.refused if line.startswith("Mal Icious_3")]
    assert refusals and any(reason in line for line in refusals), intake.refused
    assert not (out / "Mal Icious_3" / "hw.zip").exists()


def test_odd_entry_names_are_refused_or_kept_as_plain_files(tmp_path):
    intake, out = _moodle(tmp_path, {"Mal Icious_3_assignsubmission_file/hw.zip": _zip({
        "[/x] [bold]odd.py": CODE, "a": CODE, "a/b.py": CODE, "é" * 200 + ".py": CODE})})
    assert _files(out / "Mal Icious_3") == ["[/x] [bold]odd.py", "a"]
    reasons = " | ".join(intake.refused)
    assert "a/b.py refused" in reasons and "é" * 10 in reasons, "a file where a folder goes; a name over 255 bytes"


@pytest.mark.parametrize("inner", ["hw/question1.py", "hw/hw/question1.py", "a/b/c/d/question1.py"])
def test_nested_single_folders_are_lifted(tmp_path, inner):
    intake, out = _moodle(tmp_path, {"Ann Next_2_assignsubmission_file/hw.zip": _zip({inner: CODE,
                                                                                       "__MACOSX/._x": b""})})
    assert _files(out / "Ann Next_2") == ["question1.py"] and intake.refused == []


def test_moodle_names_with_apostrophes_accents_and_great_length(tmp_path):
    long_name = "Ünïcødé " * 40  # 360 bytes: Moodle allows 100 characters for each of first and last name
    intake, out = _moodle(tmp_path, {
        # Moodle's clean_filename drops the apostrophe of "Bob O'Neil"; accents stay, in UTF-8
        "Bob ONeil_1234567_assignsubmission_file/question1.py": CODE,
        "Zoë Núñez_1234568_assignsubmission_file_question1.py": CODE,
        f"{long_name}_1234569_assignsubmission_file/question1.py": CODE,
        ".hidden_1234570_assignsubmission_file/question1.py": CODE})
    folder = student_folder(long_name, "1234569")
    assert len(folder.encode()) <= moodle_zip.MAX_NAME_BYTES + 8 and folder.endswith("_1234569")
    assert intake.students == {"Bob ONeil_1234567": ("Bob ONeil", "1234567"),
                               "Zoë Núñez_1234568": ("Zoë Núñez", "1234568"),
                               folder: (long_name, "1234569"), "hidden_1234570": (".hidden", "1234570")}
    for student in intake.students:
        assert _files(out / student) == ["question1.py"]
