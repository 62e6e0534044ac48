"""``grade gradescope``: an autograder zip for Gradescope — setup.sh, run_autograder, the rubric and
the reference's cached observations, the grader itself; never the reference's source."""
from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

from rich.console import Console

from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import grading_plan, working_reference
from grader.commands.printing import say
from grader.sandbox.parent.pool import make_launcher
from grader.lms.selfcheck import expected_observations, write_selfcheck

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent
SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3-pip python3-venv > /dev/null
pip3 install --quiet torch==2.14.1 torchvision==0.29.1
pip3 install --quiet /autograder/source/grader-src
"""
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
exec "${GRADER_PYTHON:-python3}" -m grader.lms.gradescope "$ROOT"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade gradescope``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip to upload")


def _add_tree(archive: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, f"{prefix}/{path.relative_to(folder)}")


def _script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o100755 << 16
    archive.writestr(info, text)


def run(args: argparse.Namespace, console: Console) -> int:
    """0 with the zip written; 1 when the reference fails; 2 on bad input."""
    import tempfile

    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    assignment = plan.assignment
    with make_launcher("auto") as launcher:
        found = working_reference(plan, launcher, console)
    if found is None:
        return EXIT_GRADER_FAILED
    reference, _ = found
    with tempfile.TemporaryDirectory() as tmp:
        header = f"# The rubric of {assignment.name} for Gradescope, written by `grade gradescope`.\n"
        selfcheck = write_selfcheck(Path(tmp), assignment.rubric, expected_observations(plan, reference),
                                    plan.device, header)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _script(archive, "setup.sh", SETUP_SH)
            _script(archive, "run_autograder", RUN_AUTOGRADER)
            _add_tree(archive, selfcheck, "selfcheck")
            _add_tree(archive, PACKAGE_ROOT / "grader", "grader-src/grader")
            archive.write(PACKAGE_ROOT / "pyproject.toml", "grader-src/pyproject.toml")
            archive.write(PACKAGE_ROOT / "README.md", "grader-src/README.md")
    say(console, f"{args.out}: Gradescope autograder for {assignment.name} ({len(reference)} questions; "
        "no reference source inside)")
    return EXIT_OK
