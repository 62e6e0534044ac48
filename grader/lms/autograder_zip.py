"""Gradescope's autograder zip: setup.sh, run_autograder, the rubric with the reference's cached
observations, and the grader itself; never the reference's source.

The scripts are files beside this module; setup.sh installs the torch and torchvision this grader
runs with, the versions the reference's observations were computed under.
"""
from __future__ import annotations

import tempfile
import zipfile
from importlib import resources
from importlib.metadata import version as installed  # importing torchvision itself costs seconds
from pathlib import Path


from grader.course.course_drivers import find_drivers_file
from grader.lms.selfcheck import expected_observations, write_selfcheck
from grader.observe import FileObservations
from grader.plan import GradingPlan

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def _release(version: str) -> str:
    """``2.14.1`` from ``2.14.1+cu128``: the version pip installs by that name."""
    return version.split("+")[0]


def script_text(name: str) -> str:
    """One of the shell scripts, with the torch versions filled in."""
    text = resources.files("grader.lms").joinpath("gradescope_files", name).read_text()
    return text.replace("{torch}", _release(installed("torch"))).replace("{torchvision}",
                                                                      _release(installed("torchvision")))


def _add_tree(archive: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, f"{prefix}/{path.relative_to(folder)}")


def _script(archive: zipfile.ZipFile, name: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100755 << 16
    archive.writestr(info, script_text(name))


def write_autograder_zip(out: Path, plan: GradingPlan, reference: dict[str, FileObservations]) -> None:
    """Write the zip Gradescope's "Upload autograder" takes."""
    assignment = plan.assignment
    with tempfile.TemporaryDirectory() as tmp:
        header = f"# The rubric of {assignment.name} for Gradescope, written by `grade gradescope`.\n"
        selfcheck = write_selfcheck(Path(tmp), assignment.rubric, expected_observations(plan, reference),
                                    plan.device, header, drivers=find_drivers_file(assignment.rubric_path))
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _script(archive, "setup.sh")
            _script(archive, "run_autograder")
            _add_tree(archive, selfcheck, "selfcheck")
            _add_tree(archive, PACKAGE_ROOT / "grader", "grader-src/grader")
            archive.write(PACKAGE_ROOT / "pyproject.toml", "grader-src/pyproject.toml")
            archive.write(PACKAGE_ROOT / "README.md", "grader-src/README.md")
