"""The rubric: pydantic models of ``rubrics/<assignment>.yaml``, and loading with located errors.

Every problem is reported as ``file:line: field: what is wrong — how to fix it``.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grader.checks.base import DeviationPenalty
from grader.checks.registry import KINDS, AnyCheck
from grader.course import DRIVER_NAMES
from grader.course.course_drivers import CourseDriversError, driver_names, find_drivers_file
from grader.course.setup import CoursePackage
from grader.course.offline_data import OfflineItem
from grader.rubric_errors import format_errors
from grader.sandbox.protocol import ResourceLimits


class Question(BaseModel):
    """One question file of the assignment and the checks that grade it."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    file: str | None = None
    alternatives: list[str] = Field(default_factory=list,
                                    description="other file names or globs (`*.ipynb`) to grade when `file` is absent")
    defines: list[str] = Field(default_factory=list,
                               description="names that mark the file answering this question when several "
                                           "alternatives are present (the checks' own names count too)")
    title: str = ""
    points: float | None = None
    import_timeout: float = Field(30.0, gt=0)
    run_as_main: float | None = Field(None, gt=0, description="seconds the file runs as a script (`__name__ == "
                                      "'__main__'`) before its globals are graded, even after a crash")
    offline_data: list[OfflineItem] = Field(default_factory=list,
                                            description="data sets and weights the file downloads, served offline")
    deviation_penalty: DeviationPenalty | None = Field(None, description="the question's deduction for deviations "
                                                       "from the handout's interface (else the rubric's)")
    checks: list[AnyCheck] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "Question":
        if self.file is None:
            self.file = f"{self.id}.py"
        seen = set()
        for check in self.checks:
            if check.id in seen:
                raise ValueError(f"check id {check.id!r} is used twice in {self.id}; give each check its own id")
            seen.add(check.id)
        if self.run_as_main is not None and self.run_as_main >= self.import_timeout:
            raise ValueError(f"run_as_main ({self.run_as_main:g} s) must be shorter than import_timeout "
                             f"({self.import_timeout:g} s), so that the globals are read in time")
        total = sum(c.points for c in self.checks)
        if self.points is not None and abs(total - self.points) > 1e-9:
            raise ValueError(f"points is {self.points:g} but the checks add up to {total:g}; "
                             "change `points` or the checks' points")
        return self

    @property
    def max_points(self) -> float:
        """Sum of the checks' points."""
        return sum(c.points for c in self.checks)

    def candidates(self, folder: Path) -> list[str]:
        """Files of ``folder`` that may be graded, in the rubric's order: ``file`` alone when it is there,
        else every alternative present (a glob matches top-level names, ignoring case)."""
        if (folder / self.file).is_file():
            return [self.file]
        names = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        found: list[str] = []
        for pattern in self.alternatives:
            if any(c in pattern for c in "*?["):
                found += [n for n in names if fnmatch.fnmatchcase(n.lower(), pattern.lower()) and n not in found]
            elif (folder / pattern).is_file() and pattern not in found:
                found.append(pattern)
        return found

    def file_in(self, folder: Path) -> str:
        """The file graded in ``folder``: ``file``, else the first alternative present, else ``file``."""
        return next(iter(self.candidates(folder)), self.file)


class ClusterOptions(BaseModel):
    """Job parameters; a rubric may set them under ``cluster:``, command-line options override."""

    model_config = ConfigDict(extra="forbid")
    partition: str | None = None
    gpus: int = Field(0, ge=0, description="GPUs per task")
    cpus: int = Field(2, ge=1, description="CPUs per task (the task's -j)")
    time_min: int = Field(60, gt=0, description="wall-clock limit per task, minutes")
    mem_gb: int = Field(16, gt=0)
    per_task: int = Field(50, gt=0, description="submissions per array task")
    parallelism: int = Field(64, gt=0, description="array tasks running at once")


class Rubric(BaseModel):
    """A whole assignment."""

    model_config = ConfigDict(extra="forbid")
    assignment: str
    title: str = ""
    seed: int = 0
    timeout: float = Field(10.0, gt=0, description="default time limit of one probe, in seconds")
    limits: ResourceLimits = Field(default_factory=ResourceLimits)
    cluster: ClusterOptions = Field(default_factory=ClusterOptions)
    course_files: list[str] = Field(default_factory=list, description="data files the course hands out, placed "
                                    "beside a student's code when the folder lacks them")
    packages: list[CoursePackage] = Field(default_factory=list, description="packages students may import")
    skip_cell_tags: list[str] = Field(default_factory=list, description="notebook cell tags that skip a cell, "
                                      "besides skip-execution and otter_ignore")
    deviation_penalty: DeviationPenalty = Field(default_factory=DeviationPenalty, description="the share of a "
                                                "check's points deducted when the grader adapts to a deviation from "
                                                "the handout's interface (a number, or one per kind)")
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_questions(self) -> "Rubric":
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids {dupes} appear more than once; each question needs its own id")
        for name in self.course_files:
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or not name.strip():
                raise ValueError(f"course file {name!r} must be a path inside the student's folder, "
                                 "such as iris.data or data/X.pt")
        return self

    @property
    def max_total(self) -> float:
        """Sum of every question's points."""
        return sum(q.max_points for q in self.questions)

    @property
    def automatic_total(self) -> float:
        """Points the grader awards itself (every check but ``manual`` ones)."""
        return sum(c.points for q in self.questions for c in q.checks if c.kind != "manual")


class RubricError(Exception):
    """A rubric that cannot be used; ``problems`` are ready-to-print lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric file; raise RubricError with located messages."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise RubricError([f"{path}: cannot read the rubric ({exc.strerror})"]) from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise RubricError([f"{path}{line}: not valid YAML: {exc.problem} — check the indentation and quoting"]) from None
    if not isinstance(data, dict):
        raise RubricError([f"{path}: the rubric must be a mapping with `assignment:` and `questions:`"])
    try:
        drivers = driver_names(find_drivers_file(path), DRIVER_NAMES)
    except CourseDriversError as exc:
        raise RubricError([str(exc)]) from None
    try:
        return Rubric.model_validate(data, context={"course_drivers": drivers})
    except ValidationError as exc:
        raise RubricError(format_errors(path, root, exc, Rubric, list(KINDS))) from None
