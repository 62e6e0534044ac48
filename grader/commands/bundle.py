"""``grade bundle``: the student handout — starter files, a README, and the public self-checks."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from rich.console import Console

from grader.assignments import Assignment
from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import add_device_argument, add_launcher_argument, grading_plan, working_reference
from grader.commands.printing import error, say
from grader.course.course_drivers import find_drivers_file
from grader.course.setup import course_file_sources
from grader.render.handout import render_handout_readme
from grader.render.html import fmt
from grader.plan import GradingPlan
from grader.rubric import RubricError
from grader.sandbox.parent.pool import make_launcher
from grader.lms.selfcheck import expected_observations, public_rubric, write_selfcheck


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade bundle``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the handout into (new or empty)")
    parser.add_argument("--force", action="store_true", help="replace the --out folder if it holds files")
    add_device_argument(parser, "device the expected answers are computed on")
    add_launcher_argument(parser)


def starter_problem(assignment: Assignment) -> str | None:
    """Why the assignment has no usable starter folder, or None."""
    if assignment.starter_dir.is_dir():
        return None
    return (f"{assignment.starter_dir}: no starter folder — create it with the files students start from "
            f"(e.g. {', '.join(q.file for q in assignment.rubric.questions)})")


def copy_starter(assignment: Assignment, out: Path) -> list[str]:
    """Copy ``starter/<assignment>/`` into ``out``; returns the copied files' relative paths."""
    source = assignment.starter_dir
    copied = []
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            target = out / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(str(path.relative_to(source)))
    return copied


def copy_course_files(assignment: Assignment, out: Path) -> list[str]:
    """Copy the rubric's course files (data, helper modules such as ``utils.py``) that the starter did not put in
    ``out``; returns their names."""
    sources, _ = course_file_sources(assignment.rubric.course_files, assignment.reference_dir, assignment.starter_dir)
    copied = []
    for name, source in sources.items():
        target = out / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            copied.append(name)
    return copied


def _prepare(out: Path, force: bool) -> str | None:
    if out.exists() and any(out.iterdir()):
        if not force:
            return f"{out} is not empty; choose a new folder or pass --force to replace it"
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return None


def run(args: argparse.Namespace, console: Console) -> int:
    """Write the handout; 0 on success, 1 when the reference fails, 2 on bad input."""
    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    assignment = plan.assignment
    try:
        public = public_rubric(assignment.rubric)
    except RubricError as exc:
        error(console, str(exc))
        return EXIT_USAGE
    problem = starter_problem(assignment)
    if problem:
        error(console, problem)
        return EXIT_USAGE
    with make_launcher(args.launcher) as launcher:
        found = working_reference(plan, launcher, console)
    if found is None:
        return EXIT_GRADER_FAILED
    reference, _ = found
    problem = _prepare(args.out, args.force)
    if problem:
        error(console, problem)
        return EXIT_USAGE
    copied = copy_starter(assignment, args.out) + copy_course_files(assignment, args.out)
    public_plan = GradingPlan.build(Assignment(assignment.name, public, assignment.rubric_path,
                                               assignment.reference_dir), plan.device)
    header = (f"# The public checks of {public.assignment}, written by `grade bundle`.\n"
              "# `grade --local` runs them; the instructor's grading also runs checks not listed here.\n")
    write_selfcheck(args.out, public, expected_observations(public_plan, reference), plan.device, header,
                    drivers=find_drivers_file(assignment.rubric_path))
    (args.out / "README.md").write_text(render_handout_readme(assignment.rubric, public))
    checks = sum(len(q.checks) for q in public.questions)
    hidden = sum(len(q.checks) for q in assignment.rubric.questions) - checks
    say(console, f"Handout of {assignment.name} -> {args.out}: {len(copied)} starter and course files, README.md, "
        f"{checks} public checks ({fmt(public.max_total)} of {fmt(assignment.rubric.max_total)} points) "
        f"in selfcheck/; {hidden} hidden checks left out")
    return EXIT_OK
