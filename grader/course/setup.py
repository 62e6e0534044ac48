"""What a course hands its students besides the handout: data files and the packages it allows.

A rubric lists them::

    course_files: [iris.data, X.pt, y.pt]     # placed beside a student's code when the folder lacks them
    packages:
      - scipy                                 # importable while grading (a batch checks, before it starts)
      - {name: scikit-learn, module: sklearn}
      - {name: seaborn, stub: true}           # plotting only: a stand-in whose functions do nothing

A course file is taken from the reference folder, else from the starter folder (helper modules such as
``utils.py`` that the starter ships), else from the grader's bundled fixtures; one in a sub-folder
(``data/iris.data``, where students keep it) may come from a file of the same name there. ``grade
bundle`` copies every course file into the handout.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from grader.course import FIXTURES



class CoursePackage(BaseModel):
    """A package students may import: ``name`` as pip knows it, ``module`` as Python imports it."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    module: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    stub: bool = Field(False, description="plotting only: a stand-in whose functions do nothing is imported instead")

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data):
        return {"name": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _module_name(self) -> "CoursePackage":
        if self.module is None:
            self.module = self.name.replace("-", "_").lower()
        return self


def missing_packages(packages: list[CoursePackage]) -> list[CoursePackage]:
    """The packages (stand-ins aside) that this Python cannot import."""
    return [p for p in packages if not p.stub and importlib.util.find_spec(p.module) is None]


def install_hint(missing: list[CoursePackage]) -> str:
    """``the course's packages scipy (import scipy) are not installed: pip install scipy``."""
    listed = ", ".join(f"{p.name} (import {p.module})" for p in missing)
    return (f"the rubric allows packages that this Python cannot import: {listed}; install them with "
            f"`pip install {' '.join(p.name for p in missing)}` (or `pip install 'torch-grader[courses]'`) "
            f"in the grader's environment, since student code runs there")


def course_file_sources(names: list[str], reference_dir: Path,
                        starter_dir: Path | None = None) -> tuple[dict[str, Path], list[str]]:
    """Each course file's source (the reference folder first, then the starter folder, then the bundled fixtures;
    by its path, else by its file name), and the names found in neither."""
    folders = [reference_dir, *([starter_dir] if starter_dir else []), FIXTURES]
    found, missing = {}, []
    for name in names:
        places = [d / n for n in dict.fromkeys((name, Path(name).name)) for d in folders]
        source = next((p for p in places if p.is_file()), None)
        if source is None:
            missing.append(name)
        else:
            found[name] = source
    return found, missing
