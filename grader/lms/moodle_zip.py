"""Reading Moodle's "Download all submissions" zip safely into one folder per student.

Layouts Moodle writes: ``Full Name_123_assignsubmission_file/question1.py`` (Moodle >= 4.1),
``Full Name_123_assignsubmission_file_/question1.py`` (older), the flat
``Full Name_123_assignsubmission_file_question1.py``, and any of these holding a student's own
zip, which is unpacked in place (folders that hold a single folder, ``hw/hw/``, are lifted).

Every entry is checked before a byte is written: absolute paths, ``..`` components and symlinks
are refused, and so are files over a size cap or compressed suspiciously well. Budgets (entries
and bytes) are **per student**: one student's zip bomb uses up that student's budget only, and
whatever goes wrong with one student's files (an unreadable zip, a name the file system refuses)
is a refusal with a reason for that student, never an error of the batch.
"""
from __future__ import annotations

import io
import re
import shutil
import stat
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.lms.moodle_names import SUBMISSION_FILE, SUBMISSION_FOLDER

MAX_ENTRIES = 10_000  # files per student: their entries in the archive plus those of their own zips
MAX_STUDENT_BYTES = 1 << 30  # uncompressed, per student
MAX_FILE_BYTES = 200 << 20
MAX_RATIO = 200  # uncompressed / compressed, for entries over 1 MiB
MAX_NAME_BYTES = 150  # of the full name in a student's folder name (the Moodle id is always kept)
MAX_LIFTS = 8  # nested single folders lifted out of a student's own zip
IGNORED = ("__MACOSX", ".DS_Store")
READ_ERRORS = (OSError, ValueError, RuntimeError, NotImplementedError, EOFError, zlib.error, zipfile.BadZipFile)


@dataclass
class Intake:
    """What came out of the archive: students (folder name -> Moodle full name and id), refusals."""

    students: dict[str, tuple[str, str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


@dataclass
class Budget:
    """What one student may still unpack."""

    entries: int
    size: int


class ArchiveError(Exception):
    """The archive as a whole (or one entry of it) cannot be read."""


def student_folder(full_name: str, moodle_id: str) -> str:
    """``Full Name_123``: the name cut to ``MAX_NAME_BYTES`` and never hidden, the Moodle id always kept."""
    name = full_name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").lstrip("._ ") or "student"
    return f"{name}_{moodle_id}"


def _why_unsafe(info: zipfile.ZipInfo, relative: str) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or relative.startswith("/"):
        return "an absolute path"
    if ".." in PurePosixPath(name).parts or ".." in PurePosixPath(relative).parts:
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


def _skipped(name: str) -> bool:
    return name.endswith("/") or any(part in IGNORED for part in PurePosixPath(name).parts)


def _extract(zf: zipfile.ZipFile, entries: list[tuple[zipfile.ZipInfo, str]], dest: Path, label: str,
             refused: list[str], budget: Budget) -> None:
    """Write each safe ``(entry, path under dest)`` within the student's budget; refuse the others."""
    for info, relative in entries:
        why = _why_unsafe(info, relative)
        if why is None and budget.entries <= 0:
            why = f"over the student's cap of {MAX_ENTRIES} files"
        elif why is None and info.file_size > budget.size:
            why = f"over the student's size cap of {MAX_STUDENT_BYTES >> 20} MiB"
        if why:
            refused.append(f"{label}: {info.filename} refused: {why}")
            continue
        target = dest.joinpath(*PurePosixPath(relative).parts)
        try:
            if not target.resolve().is_relative_to(dest.resolve()):
                raise ArchiveError("a path that leaves its folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source:
                budget.size -= _copy_capped(source, target, info.file_size)
            budget.entries -= 1
        except (ArchiveError, *READ_ERRORS) as exc:
            if target.is_file() and not target.is_symlink():
                target.unlink()
            refused.append(f"{label}: {info.filename} refused: {exc}")


def _unpack_own_zip(archive: Path, folder: Path, label: str, refused: list[str], budget: Budget) -> None:
    data = archive.read_bytes()  # already within the student's budget
    archive.unlink()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = [(info, info.filename.replace("\\", "/")) for info in zf.infolist()
                       if not _skipped(info.filename.replace("\\", "/"))]
            if len(entries) > budget.entries:
                refused.append(f"{label}: {len(entries)} entries, over the cap of {MAX_ENTRIES}; nothing extracted")
                return
            _extract(zf, entries, folder, label, refused, budget)
    except READ_ERRORS as exc:
        refused.append(f"{label}: not a readable zip ({exc})")


def _lift_single_folders(folder: Path) -> None:
    """``hw/question1.py`` and ``hw/hw/question1.py`` become ``question1.py``; hidden files stay where they are."""
    for _ in range(MAX_LIFTS):
        visible = [p for p in folder.iterdir() if not p.name.startswith(".")]
        if len(visible) != 1 or not visible[0].is_dir() or visible[0].is_symlink():
            return
        inner = visible[0].rename(folder / f".lift-{uuid.uuid4().hex}")
        for item in list(inner.iterdir()):
            if not (folder / item.name).exists():
                item.rename(folder / item.name)
        if any(inner.iterdir()):
            return
        inner.rmdir()


def _unpack_student(zf: zipfile.ZipFile, entries: list[tuple[zipfile.ZipInfo, str]], folder: Path,
                    refused: list[str]) -> None:
    label = folder.name
    budget = Budget(entries=MAX_ENTRIES, size=MAX_STUDENT_BYTES)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _extract(zf, entries, folder, label, refused, budget)
        for archive in sorted(p for p in folder.glob("*.zip") if p.is_file()):
            _unpack_own_zip(archive, folder, f"{label}/{archive.name}", refused, budget)
        _lift_single_folders(folder)
    except (ArchiveError, *READ_ERRORS) as exc:
        refused.append(f"{label}: its files could not all be unpacked ({exc})")


def _locate(name: str) -> tuple[str, str, str] | None:
    """``(full name, Moodle id, path inside the student's folder)`` of an entry, or None."""
    top, _, rest = name.partition("/")
    match = SUBMISSION_FOLDER.match(top) if rest else SUBMISSION_FILE.match(top)
    if match is None:
        return None
    return match["name"], match["id"], rest or match["file"]


def read_moodle_zip(path: Path, dest: Path) -> Intake:
    """Unpack Moodle's submissions zip into ``dest/<Full Name_id>/``, one folder per student."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    intake = Intake()
    try:
        zf = zipfile.ZipFile(path)
    except READ_ERRORS as exc:
        raise ArchiveError(f"{path.name}: not a readable zip ({exc})") from None
    with zf:
        by_student: dict[str, list[tuple[zipfile.ZipInfo, str]]] = {}
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            if _skipped(name):
                continue
            located = _locate(name)
            why = _why_unsafe(info, name) if located is None else None
            if located is None:
                intake.refused.append(f"{path.name}: {info.filename} "
                                      + (f"refused: {why}" if why else "ignored: not a Moodle submission name"))
                continue
            full_name, moodle_id, relative = located
            folder = student_folder(full_name, moodle_id)
            intake.students.setdefault(folder, (full_name, moodle_id))
            by_student.setdefault(folder, []).append((info, relative))
        for folder, entries in by_student.items():
            _unpack_student(zf, entries, dest / folder, intake.refused)
    return intake
