"""``grade batch``: grade every submission in a folder and write results, reports, CSV, summary."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grader.cluster import ClusterOptions, chunks, run_chunks
from grader.commands import (EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE, assignment_and_device, reference_broken,
                             unsupported_platform)
from grader.commands.moodle import export_to_moodle
from grader.commands.printing import error, say, warning
from grader.course.setup import course_file_sources, install_hint, missing_packages
from grader.grading import grade_and_store
from grader.lms.moodle_zip import ArchiveError, read_moodle_zip
from grader.course.offline_data import missing_in
from grader.reference_cache import reference_key, reference_observations
from grader.render.csv import write_marks_csv
from grader.render.html import write_index
from grader.results import Result, load_result, remove_partial_writes, write_atomic, write_manifest
from grader.sandbox.layers.confine import LAYERS
from grader.sandbox.parent.pool import make_launcher
from grader.sandbox.protocol import SandboxSettings
from grader.handins.submissions import Submission, SubmissionsError, find_submissions


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade batch``."""
    parser.add_argument("assignment", help="assignment name (rubrics/<name>.yaml) or a rubric file")
    parser.add_argument("submissions", type=Path,
                        help="folder with one sub-folder per student, or Moodle's 'Download all submissions' zip")
    parser.add_argument("--worksheet", type=Path, metavar="CSV",
                        help="Moodle's grading worksheet: also write it back filled, with a feedback-files zip, "
                             "in <out>/moodle/")
    parser.add_argument("--out", type=Path, default=Path("marks"), help="output folder (default: marks/)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once (default: number of cores)")
    parser.add_argument("--without", action="append", default=[], choices=LAYERS, metavar="LAYER",
                        help="switch a sandbox layer off (repeatable; for machines where it misbehaves): "
                             + ", ".join(LAYERS))
    parser.add_argument("--executor", choices=["local", "slurm", "submitit-local"], default="local",
                        help="local (default): this machine; slurm: a job array through submitit; "
                             "submitit-local: the same code path as local processes")
    parser.add_argument("--partition", help="Slurm partition (default: the rubric's `cluster:` or Slurm's)")
    parser.add_argument("--gpus", type=int, help="GPUs per array task")
    parser.add_argument("--time-min", type=int, help="wall-clock limit per array task, in minutes")
    parser.add_argument("--mem-gb", type=int, help="memory per array task")
    parser.add_argument("--per-task", type=int, help="submissions per array task")
    parser.add_argument("--full", type=Path, metavar="DIR",
                        help="questions that download data train on the real data sets and weights in DIR "
                             "(FashionMNIST/raw/..., hub/checkpoints/...) instead of the small stand-ins; "
                             "their time limits are multiplied by 100")
    parser.add_argument("--force", action="store_true",
                        help="grade every submission again, even those whose stored result is current")
    parser.add_argument("--similarity", action="store_true",
                        help="also write <out>/similarity.html and similarity.csv (see `grade similarity` for options)")
    add_launcher_argument(parser)


def add_launcher_argument(parser: argparse.ArgumentParser) -> None:
    """``--launcher``: how children are started."""
    parser.add_argument("--launcher", choices=["auto", "fork-server", "spawn"], default="auto",
                        help="fork-server: fork children from warm interpreters (Linux, fast); spawn: a fresh "
                             "interpreter per child (everywhere); auto picks fork-server on Linux")


def fingerprint(submission: Submission, reference_version: str) -> str:
    """What a stored result depends on: the student's files, the rubric and reference, the grader."""
    return hashlib.sha256(f"{submission.digest()}|{reference_version}".encode()).hexdigest()[:32]


def write_outputs(out: Path, results: list[Result]) -> None:
    """Class-wide files: marks.csv and index.html."""
    write_marks_csv(out, results)
    write_index(out, results)


def run(args: argparse.Namespace, console: Console) -> int:
    """Grade the batch; 0 when every submission was graded, 1 when the grader failed, 2 on bad input."""
    target = assignment_and_device(args, console)
    if target is None or unsupported_platform(console):
        return EXIT_USAGE
    assignment, device = target
    if problem := course_problem(assignment):
        error(console, problem)
        return EXIT_USAGE
    try:
        folder = _moodle_intake(args, console) if args.submissions.suffix == ".zip" else args.submissions
        submissions = find_submissions(folder, exclude=args.out)
    except (SubmissionsError, ArchiveError, OSError) as exc:
        error(console, str(exc))
        return EXIT_USAGE
    if args.full:
        needed = [item for q in assignment.rubric.questions for item in q.offline_data]
        lacking = missing_in(args.full, needed)
        if lacking or not needed:
            why = f"{args.full} lacks {'; '.join(lacking)}" if lacking else f"{assignment.name} downloads no data"
            error(console, f"--full: {why}")
            return EXIT_USAGE
    started = time.perf_counter()
    with make_launcher(args.launcher, size=max(1, args.jobs)) as launcher:
        return _grade_all(args, console, assignment, device, submissions, launcher, started)


def course_problem(assignment) -> str:
    """Why the course's packages or files are not ready for grading ('' when they are)."""
    rubric = assignment.rubric
    if missing := missing_packages(rubric.packages):
        return install_hint(missing)
    _, lacking = course_file_sources(rubric.course_files, assignment.reference_dir)
    if lacking:
        return (f"the rubric's course files {', '.join(lacking)} are neither in {assignment.reference_dir} nor "
                f"among the grader's fixtures; add them to the reference folder")
    return ""


def _moodle_intake(args: argparse.Namespace, console: Console) -> Path:
    """Unpack a Moodle submissions zip into ``<out>/submissions/``; report what was refused."""
    folder = args.out / "submissions"
    intake = read_moodle_zip(args.submissions, folder)
    for line in intake.refused:
        warning(console, line, label="refused:")
    write_atomic(args.out / "intake.json", json.dumps({"archive": str(args.submissions), "refused": intake.refused,
                                                       "students": intake.students}, indent=2))
    return folder


def cluster_options(args: argparse.Namespace, rubric_options: ClusterOptions) -> ClusterOptions:
    """The rubric's ``cluster:`` options with the command line's on top."""
    given = {"partition": args.partition, "gpus": args.gpus, "time_min": args.time_min, "mem_gb": args.mem_gb,
             "per_task": args.per_task, "cpus": max(1, args.jobs)}
    return rubric_options.model_copy(update={k: v for k, v in given.items() if v is not None})


def _grade_on_cluster(args, assignment, device, todo, fingerprints) -> tuple[list[Result], list[str]]:
    options = cluster_options(args, assignment.rubric.cluster)
    calls = [(args.assignment, str(Path.cwd()), [(s.student, str(s.path.resolve())) for s in chunk],
              str(args.out.resolve()), device, options.cpus, list(args.without), fingerprints,
              str(args.full.resolve()) if args.full else None)
             for chunk in chunks(todo, options.per_task)]
    outcomes = run_chunks(args.executor, options, args.out / ".submitit", calls)
    failures = [name for call, outcome in zip(calls, outcomes) if outcome is None for name, _ in call[2]]
    results = [r for s in todo if s.student not in failures and (r := load_result(args.out, s.student))]
    return results, failures


def _grade_locally(args, console, assignment, device, todo, reference, launcher,
                   fingerprints) -> tuple[list[Result], list[str]]:
    results: list[Result] = []
    failures: list[str] = []
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as progress, \
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        task = progress.add_task(f"grading {assignment.name}", total=len(todo))
        sandbox = SandboxSettings(disable=args.without, full_data_dir=str(args.full.resolve()) if args.full else None)
        futures = {pool.submit(grade_and_store, assignment, s.path, reference, args.out, fingerprints[s.student],
                               device=device, student=s.student, launcher=launcher, sandbox=sandbox): s
                   for s in todo}
        for future in as_completed(futures):
            submission = futures[future]
            try:
                results.append(future.result())
            except Exception:  # noqa: BLE001 - one failure must not stop the batch
                failures.append(submission.student)
                say(console, "\n" + traceback.format_exc(), label=f"grader failure on {submission.student}:",
                    style="red")
            progress.advance(task)
    return results, failures


def _grade_all(args, console, assignment, device, submissions, launcher, started) -> int:
    reference, cached = reference_observations(assignment, device, launcher)
    if reference_broken(assignment, reference, console):
        return EXIT_GRADER_FAILED
    remove_partial_writes(args.out)
    version = reference_key(assignment, device) + (f"|full={args.full.resolve()}" if args.full else "")
    fingerprints = {s.student: fingerprint(s, version) for s in submissions}
    current: dict[str, Result] = {}
    if not args.force:  # keyed by folder name: a stored result holds the name cleaned (student_names)
        stored = {s.student: load_result(args.out, s.student) for s in submissions}
        current = {name: r for name, r in stored.items() if r and r.fingerprint == fingerprints[name]}
    results, done = list(current.values()), set(current)
    todo = [s for s in submissions if s.student not in done]
    write_manifest(args.out, assignment.name, args.executor, fingerprints)
    if args.executor == "local":
        new, failures = _grade_locally(args, console, assignment, device, todo, reference, launcher, fingerprints)
    else:
        new, failures = _grade_on_cluster(args, assignment, device, todo, fingerprints)
    write_manifest(args.out, assignment.name, args.executor, fingerprints, failures)
    for name in failures:
        say(console, f"{name} (its task failed twice; rerun the batch to retry)", label="not graded:", style="red")
    results = sorted(results + new, key=lambda r: r.student)
    if results:
        write_outputs(args.out, results)
    if args.similarity:
        from grader.commands.similarity import DEFAULT_THRESHOLD, write_similarity_report

        write_similarity_report(assignment, submissions, args.out, console, threshold=DEFAULT_THRESHOLD, also=None,
                                ops=False, json_path=None)
    seconds = time.perf_counter() - started
    mean = sum(r.total for r in results) / len(results) if results else 0.0
    errors = sum(c.status == "error" for r in results for q in r.questions for c in q.checks)
    missing = sorted({layer for r in results for layer in r.sandbox_missing})
    if missing:
        warning(console, f"sandbox layers missing: {'; '.join(missing)}")
    kept = f", {len(done)} kept from an earlier run" if done else ""
    say(console, f"Graded {len(results) - len(done)} of {len(submissions)} submissions of {assignment.name}{kept} "
        f"in {seconds:.1f} s (reference {'cached' if cached else 'run'}): mean {mean:.2f} / "
        f"{assignment.rubric.max_total:g}, "
        f"{errors} checks hit errors in student code -> {args.out}/index.html")
    if args.worksheet and results and export_to_moodle(args.out, args.worksheet, console) != EXIT_OK:
        return EXIT_USAGE
    return EXIT_GRADER_FAILED if failures else EXIT_OK
