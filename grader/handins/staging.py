"""The folder the sandbox copies for one question: the student's files as handed in, plus what grading
adds — the course's data files the folder lacks, a notebook as runnable Python, a script converted
so that it parses, and the course's package settings for the child.

The student's own folder is never changed: additions go to a staging copy (hard links where the
file system allows), removed when the question is graded. Messages from the child are relabelled
so that they name the student's file ("lab2.ipynb", "cell 7, line 3"), not the staged one.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader.handins.notebooks import MAX_SCRIPT_BYTES, NotebookError, convert_script, read_notebook, read_student_bytes
from grader.observe import ErrorInfo, FileObservations, ImportInfo
from grader.scratch import make_folder, remove_folder
from grader.course.course_drivers import COURSE_DRIVERS_MODULE
from grader.course.packages import COURSE_FILE
from grader.sandbox.child.notebook_cells import cell_file

NOTEBOOK_MODULE = "_notebook_.py"
MAIN_MODULE = "_main_.py"
CELLS_FOLDER = "_notebook_cells"
_CELL_LABEL = re.compile(r"\bcell_0*(\d+)\.py, line (\d+)")


@dataclass
class CourseSetup:
    """What the rubric adds to every working copy: course files, the course's drivers, package settings, skipped
    cell tags."""

    files: dict[str, Path] = field(default_factory=dict)
    drivers: Path | None = None
    stubs: list[str] = field(default_factory=list)
    provided: list[str] = field(default_factory=list)
    skip_tags: tuple[str, ...] = ()

    @property
    def writes_settings(self) -> bool:
        """Whether the child needs the course's package settings."""
        return bool(self.stubs or self.provided)


@dataclass
class Stage:
    """Where the sandbox finds the question's file, and how to name it to the student."""

    folder: Path
    module_file: str
    shown: str
    temp: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def relabels(self) -> bool:
        """Whether ``relabel`` changes observations (a staged notebook or script, notes to add)."""
        return self.module_file != self.shown or bool(self.notes)

    def relabel(self, obs: FileObservations) -> FileObservations:
        """Observations that name the student's file and notebook cells instead of the staged files."""
        if not self.relabels:
            return obs
        fix = self._text
        obs.module_file = self.shown
        _relabel_import(obs.imported, fix)
        for probe in obs.probes.values():
            probe.detail, probe.stdout = fix(probe.detail), fix(probe.stdout)
            _relabel_error(probe.error, fix)
        obs.stdout = "".join(f"[grader] {note}\n" for note in self.notes) + fix(obs.stdout)
        return obs

    def _text(self, text: str) -> str:
        if self.module_file != self.shown:
            module = self.module_file.removesuffix(".py")
            text = text.replace(f"module '{module}'", repr(self.shown)).replace(self.module_file, self.shown)
        return _CELL_LABEL.sub(r"cell \1, line \2", text)

    def close(self) -> None:
        """Remove the staging copy."""
        if self.temp is not None:
            remove_folder(self.temp)


def _relabel_error(error: ErrorInfo | None, fix) -> None:
    if error is not None:
        error.message = fix(error.message)
        error.traceback = [fix(line) for line in error.traceback]


def _relabel_import(info: ImportInfo, fix) -> None:
    info.detail = fix(info.detail)
    _relabel_error(info.error, fix)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _copy(folder: Path) -> tuple[Path, Path]:
    temp = make_folder("grade-stage-")
    work = temp / "work"
    try:
        if folder.is_dir():
            shutil.copytree(folder, work, symlinks=True, copy_function=_link_or_copy)
        else:
            work.mkdir()
    except BaseException:
        remove_folder(temp)
        raise
    return temp, work


def _write(path: Path, text: str) -> None:
    if path.is_symlink() or path.exists():
        path.unlink()  # a hard link to the student's file must not be written through
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _notebook_module(work: Path, chosen: str, skip_tags: tuple[str, ...]) -> None:
    converted = read_notebook(work / chosen, skip_tags)
    cells = work / CELLS_FOLDER
    for cell in converted.cells:
        if cell.runs:
            _write(Path(cell_file(str(cells), cell.number)), cell.source)
    plan = [(c.number, c.note) for c in converted.cells]
    _write(work / NOTEBOOK_MODULE,
           f"# Made by the grader from {chosen!r}: its code cells, run in order.\n"
           f"__import__('grader.sandbox.child.notebook_cells', fromlist=['run']).run(globals(), {CELLS_FOLDER!r}, {plan!r})\n")


def _script(path: Path) -> bytes | None:
    """A script's bytes when the parent may read them: a link, a special file or a script over the
    size limit is left for the child, which meets it behind the sandbox."""
    try:
        return read_student_bytes(path, MAX_SCRIPT_BYTES)
    except NotebookError:
        return None


def stage(folder: Path, chosen: str, course: CourseSetup, run_as_main: float | None = None) -> Stage:
    """The folder to run ``chosen`` from: ``folder`` itself when nothing needs adding, else a staging copy.
    With ``run_as_main`` (seconds) a script runs as ``__main__`` (notebooks always do)."""
    is_notebook = chosen.lower().endswith(".ipynb") and (folder / chosen).is_file()
    script = _script(folder / chosen) if chosen.endswith(".py") else None
    converted = convert_script(script) if script is not None else None
    lacking = {name: src for name, src in course.files.items() if not (folder / name).exists()}
    as_main = run_as_main is not None and chosen.endswith(".py")
    if not (is_notebook or converted or lacking or as_main or course.writes_settings or course.drivers
            or (folder / COURSE_FILE).exists()):
        return Stage(folder, chosen, chosen)
    try:
        temp, work = _copy(folder)
    except (OSError, shutil.Error, RecursionError) as exc:
        raise NotebookError(f"the submission folder could not be copied ({type(exc).__name__}: {str(exc)[:200]})") from None
    result = Stage(work, chosen, chosen, temp)
    try:
        for name, source in lacking.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, work / name)
        _write(work / COURSE_FILE, json.dumps({"stubs": course.stubs, "provided": course.provided}))
        if course.drivers is not None:
            _write(work / COURSE_DRIVERS_MODULE, course.drivers.read_text(encoding="utf-8"))
        if converted:
            _write(work / chosen, converted)
            result.notes.append(f"{chosen} is not plain Python (IPython `!`/`%` lines or a non-UTF-8 character); "
                                f"it was converted as Jupyter would read it")
        if is_notebook:
            _notebook_module(work, chosen, course.skip_tags)
            result.module_file = NOTEBOOK_MODULE
        elif as_main:
            _write(work / MAIN_MODULE, f"# Made by the grader: {chosen!r} run as a script.\n"
                   f"__import__('grader.sandbox.child.run_as_main', fromlist=['run']).run(globals(), {chosen!r}, "
                   f"{run_as_main!r})\n")
            result.module_file = MAIN_MODULE
    except (NotebookError, OSError) as exc:
        result.close()
        raise NotebookError(str(exc)) from None
    return result
