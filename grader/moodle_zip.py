"""Reading Moodle's "Download all submissions" zip safely into one folder per student.

Layouts Moodle writes: ``Full Name_123_assignsubmission_file/question1.py`` (Moodle >= 4.1),
``Full Name_123_assignsubmission_file_/question1.py`` (older), the flat
``Full Name_123_assignsubmission_file_question1.py``, and any of these holding a student's own
zip, which is unpacked in place. Nothing is ever written outside the destination: absolute
paths, ``..`` components and symlinks are refused, and caps on the number of entries, their
total size and their compression ratio stop zip bombs. Refusals are collected with a reason;
everything else is graded.
"""
from __future__ import annotations

import io
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 1 << 30  # uncompressed, per archive
MAX_FILE_BYTES = 200 << 20
MAX_RATIO = 200  # uncompressed / compressed, for entries over 1 MiB
FOLDER = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")
IGNORED = ("__MACOSX", ".DS_Store")


@dataclass
class Intake:
    """What came out of the archive: students (folder name -> Moodle full name and id), refusals."""

    students: dict[str, tuple[str, str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


class ArchiveError(Exception):
    """The archive as a whole cannot be read."""


def _why_unsafe(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "a path that leaves its folder (..)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link"
    if info.file_size > MAX_FILE_BYTES:
        return f"larger than {MAX_FILE_BYTES >> 20} MiB"
    if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(1, info.compress_size):
        return f"compressed more than {MAX_RATIO}:1 (a zip bomb?)"
    return None


def _copy_capped(source, target: Path, limit: int) -> int:
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(1 << 16):
            written += len(chunk)
            if written > limit:
                raise ArchiveError("it decompresses to more than it declares")
            out.write(chunk)
    return written


def unpack(archive, dest: Path, label: str, refused: list[str], budget: list[int]) -> list[Path]:
    """Extract the safe entries of ``archive`` (a path or file object) under ``dest``; returns the files."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        refused.append(f"{label}: not a readable zip ({exc})")
        return []
    written = []
    with zf:
        entries = zf.infolist()
        if len(entries) > MAX_ENTRIES:
            refused.append(f"{label}: {len(entries)} entries, over the cap of {MAX_ENTRIES}; nothing extracted")
            return []
        for info in entries:
            if info.is_dir() or any(part in IGNORED for part in PurePosixPath(info.filename).parts):
                continue
            why = _why_unsafe(info)
            if why is None and info.file_size > budget[0]:
                why = f"over the archive's size cap of {MAX_TOTAL_BYTES >> 20} MiB"
            if why:
                refused.append(f"{label}: {info.filename} refused: {why}")
                continue
            target = dest.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
            if not target.resolve().is_relative_to(dest.resolve()):
                refused.append(f"{label}: {info.filename} refused: a path that leaves its folder")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as source:
                    budget[0] -= _copy_capped(source, target, info.file_size)
            except (ArchiveError, zipfile.BadZipFile, OSError) as exc:
                target.unlink(missing_ok=True)
                refused.append(f"{label}: {info.filename} refused: {exc}")
                continue
            written.append(target)
    return written


def _flatten_single_folder(folder: Path) -> None:
    """A student zip that holds one folder (``hw1/question1.py``) is lifted to the top."""
    children = [p for p in folder.iterdir() if p.name not in IGNORED]
    if len(children) == 1 and children[0].is_dir():
        inner = children[0]
        for item in inner.iterdir():
            shutil.move(str(item), folder / item.name)
        inner.rmdir()


def _student_zips(folder: Path, label: str, refused: list[str], budget: list[int]) -> None:
    for archive in sorted(folder.glob("*.zip")):
        data = io.BytesIO(archive.read_bytes())
        archive.unlink()
        unpack(data, folder, f"{label}/{archive.name}", refused, budget)
    _flatten_single_folder(folder)


def read_moodle_zip(path: Path, dest: Path) -> Intake:
    """Unpack Moodle's submissions zip into ``dest/<Full Name_id>/``, one folder per student."""
    raw = dest.parent / f".{dest.name}-raw"
    shutil.rmtree(raw, ignore_errors=True)
    shutil.rmtree(dest, ignore_errors=True)
    raw.mkdir(parents=True)
    dest.mkdir(parents=True)
    intake = Intake()
    budget = [MAX_TOTAL_BYTES]
    unpack(path, raw, path.name, intake.refused, budget)
    for item in sorted(raw.iterdir()):
        match = (FOLDER if item.is_dir() else FLAT).match(item.name)
        if not match:
            intake.refused.append(f"{path.name}: {item.name} ignored: not a Moodle submission name")
            continue
        student = f"{match['name']}_{match['id']}"
        folder = dest / student
        folder.mkdir(exist_ok=True)
        intake.students[student] = (match["name"], match["id"])
        if item.is_dir():
            for child in item.iterdir():
                shutil.move(str(child), folder / child.name)
        else:
            shutil.move(str(item), folder / match["file"])
    shutil.rmtree(raw, ignore_errors=True)
    for student in intake.students:
        _student_zips(dest / student, student, intake.refused, budget)
    return intake
