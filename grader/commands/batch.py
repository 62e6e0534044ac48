"""``grade batch``: grade every submission in a folder and write results, reports, CSV, summary."""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grader.batch import BatchJob, StudentWork, Undone, grade_work, write_class_files
from grader.cluster import live_jobs, partition_problem, run_on_cluster
from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import (add_device_argument, add_launcher_argument, add_similarity_choices, grading_plan,
                                   similarity_choices_problem, unsupported_platform, working_reference,
                                   write_for_moodle, write_similarity_report)
from grader.commands.printing import error, say, warning
from grader.course.offline_data import missing_in
from grader.diagnosis.mutant_runs import MistakesLater
from grader.course.setup import course_file_sources, install_hint, missing_packages
from grader.atomic import write_atomic
from grader.grading import GradingOptions
from grader.handins.submissions import SubmissionsError, find_submissions
from grader.lms.moodle_zip import ArchiveError, read_moodle_zip
from grader.plan import GradingPlan
from grader.reference_cache import reference_key
from grader.render.html import grader_errors
from grader.rubric import ClusterOptions
from grader.slurm_queries import SlurmError
from grader.sandbox.layers.confine import LAYERS
from grader.sandbox.parent.launcher import Launcher
from grader.course.preloads import course_imports, preload_students_later
from grader.sandbox.parent.pool import make_launcher
from grader.store import BatchStore, fingerprint


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade batch``."""
    parser.add_argument("assignment", help="assignment name (rubrics/<name>.yaml) or a rubric file")
    parser.add_argument("submissions", type=Path,
                        help="folder with one sub-folder per student, or Moodle's 'Download all submissions' zip")
    parser.add_argument("--worksheet", type=Path, metavar="CSV",
                        help="Moodle's grading worksheet: also write it back filled, with a feedback-files zip, "
                             "in <out>/moodle/")
    parser.add_argument("--out", type=Path, default=Path("marks"), help="output folder (default: marks/)")
    add_device_argument(parser)
    parser.add_argument("-j", "--jobs", type=int,
                        help="submissions graded at once (default: this machine's cores; with --executor slurm, "
                             "the CPUs of each task: the rubric's `cluster: cpus`, else 2)")
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
                        help="also write <out>/similarity.html and similarity.csv (as `grade similarity` does)")
    add_similarity_choices(parser, when=" (with --similarity)")
    add_launcher_argument(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    """Grade the batch; 0 when every submission was graded, 1 when the grader failed, 2 on bad input."""
    plan = grading_plan(args, console)
    if plan is None or unsupported_platform(console):
        return EXIT_USAGE
    assignment = plan.assignment
    if problem := similarity_choices_problem(args, asked=args.similarity) or course_problem(assignment):
        error(console, problem)
        return EXIT_USAGE
    store = BatchStore(args.out)
    try:
        folder = _moodle_intake(args, store, console) if args.submissions.suffix == ".zip" else args.submissions
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
    if problem := cluster_problem(args, plan, store):
        error(console, problem)
        return EXIT_USAGE
    started = time.perf_counter()
    size = max(1, args.jobs or os.cpu_count() or 1)
    with make_launcher(args.launcher, size=size, preload=course_imports(plan)) as launcher:
        preload_students_later(launcher, plan, [s.path for s in submissions])
        return _grade_all(args, console, plan, store, submissions, launcher, started)


def course_problem(assignment) -> str:
    """Why the course's packages or files are not ready for grading ('' when they are)."""
    rubric = assignment.rubric
    if missing := missing_packages(rubric.packages):
        return install_hint(missing)
    _, lacking = course_file_sources(rubric.course_files, assignment.reference_dir, assignment.starter_dir)
    if lacking:
        return (f"the rubric's course files {', '.join(lacking)} are neither in {assignment.reference_dir}, nor in "
                f"{assignment.starter_dir}, nor among the grader's fixtures; add them to the reference folder")
    return ""


def _moodle_intake(args: argparse.Namespace, store: BatchStore, console: Console) -> Path:
    """Unpack a Moodle submissions zip into ``<out>/submissions/``; report what was refused."""
    folder = store.submissions_dir
    intake = read_moodle_zip(args.submissions, folder)
    for line in intake.refused:
        warning(console, line, label="refused:")
    write_atomic(store.intake_path, json.dumps({"archive": str(args.submissions), "refused": intake.refused,
                                                       "students": intake.students}, indent=2))
    return folder


def cluster_options(args: argparse.Namespace, rubric_options: ClusterOptions) -> ClusterOptions:
    """The rubric's ``cluster:`` options with the command line's on top."""
    given = {"partition": args.partition, "gpus": args.gpus, "time_min": args.time_min, "mem_gb": args.mem_gb,
             "per_task": args.per_task, "cpus": max(1, args.jobs) if args.jobs else None}
    return rubric_options.model_copy(update={k: v for k, v in given.items() if v is not None})


def cluster_problem(args: argparse.Namespace, plan: GradingPlan, store: BatchStore) -> str:
    """Why the batch cannot start ('' when it can): an earlier array still grades into ``--out``, or the
    Slurm partition can never run a task with these options."""
    if problem := live_jobs(store):
        return problem
    if args.executor == "slurm":
        return partition_problem(cluster_options(args, plan.assignment.rubric.cluster))
    return ""


def _job(args: argparse.Namespace, plan: GradingPlan, store: BatchStore, todo: list[StudentWork]) -> BatchJob:
    options = GradingOptions(without=args.without, full_data_dir=str(args.full.resolve()) if args.full else None)
    return BatchJob(assignment=args.assignment, workdir=str(Path.cwd()), out=str(store.out.resolve()),
                    device=plan.device, jobs=max(1, args.jobs or os.cpu_count() or 1), launcher=args.launcher,
                    options=options, force=args.force, students=todo)


def _grade_locally(console: Console, job: BatchJob, plan: GradingPlan, reference, launcher: Launcher) -> Undone:
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    mistakes = MistakesLater(plan, reference, launcher, job.jobs) if job.students else {}
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"grading {plan.assignment.name}", total=len(job.students))
        outcome = grade_work(job, plan, reference, launcher, progress=lambda *_: progress.advance(task),
                             mistakes=mistakes)
    for student, trace in outcome.failed.items():
        say(console, "\n" + trace, label=f"grader failure on {student}:", style="red")
    run = Undone()
    for student in outcome.failed:
        run.add(student, "failed", "the grader failed on it; the traceback is above")
    if outcome.stopped:
        for work in job.students:
            if work.student not in outcome.graded and work.student not in outcome.failed:
                run.add(work.student, "cancelled", f"the batch was stopped by {outcome.stopped}; rerun it to grade this")
    return run


def _grade_on_cluster(args: argparse.Namespace, console: Console, job: BatchJob, plan: GradingPlan,
                      store: BatchStore) -> Undone:
    options = cluster_options(args, plan.assignment.rubric.cluster)
    job = job.model_copy(update={"jobs": options.cpus})
    try:
        return run_on_cluster(args.executor, options, store, job, console)
    except SlurmError as exc:
        error(console, str(exc))
        run = Undone()
        for work in job.students:
            run.add(work.student, "failed", "the job array was not submitted")
        return run


def _list_not_graded(console: Console, not_graded: dict[str, str], store: BatchStore, shown: int = 20) -> None:
    """Say which submissions have no result and why (``grade status`` lists them all)."""
    for name, why in list(not_graded.items())[:shown]:
        say(console, f"{name} ({why})", label="not graded:", style="red")
    if len(not_graded) > shown:
        say(console, f"{len(not_graded) - shown} more (`grade status --out {store.out}` lists them)",
            label="not graded:", style="red")


def _list_grader_errors(console: Console, owned: list, store: BatchStore, shown: int = 20) -> None:
    """Name the checks that failed in the grader or the rubric (the rest are listed in the class summary)."""
    for result, question, check in owned[:shown]:
        first = check.message.split("; ")[0]
        warning(console, f"{result.student} {question.id}/{check.id} ({check.points:g}/{check.max_points:g}): {first}",
                label="grader error:")
    if len(owned) > shown:
        warning(console, f"{len(owned) - shown} more in {store.index_path}", label="grader error:")


def _grade_all(args, console, plan: GradingPlan, store: BatchStore, submissions, launcher, started) -> int:
    assignment = plan.assignment
    found = working_reference(plan, launcher, console)
    if found is None:
        return EXIT_GRADER_FAILED
    reference, cached = found
    store.remove_partial_writes()
    version = reference_key(plan) + (f"|full={args.full.resolve()}" if args.full else "")
    fingerprints = {s.student: fingerprint(s, version) for s in submissions}
    done = set() if args.force else set(store.current(fingerprints))
    todo = [StudentWork(student=s.student, folder=str(s.path.resolve()), fingerprint=fingerprints[s.student])
            for s in submissions if s.student not in done]
    store.write_manifest(assignment.name, args.executor, fingerprints)
    job = _job(args, plan, store, todo)
    if args.executor == "local":
        undone = _grade_locally(console, job, plan, reference, launcher)
    else:
        undone = _grade_on_cluster(args, console, job, plan, store)
    store.write_manifest(assignment.name, args.executor, fingerprints, undone.failed, undone.state)
    _list_not_graded(console, undone.not_graded, store)
    results = sorted(store.current(fingerprints).values(), key=lambda r: r.student)
    write_class_files(store, results)  # from whatever is stored, always
    if args.similarity:
        write_similarity_report(plan, submissions, args.out, console, threshold=args.threshold, also=args.also,
                                ops=args.ops, json_path=None, jobs=max(1, args.jobs or os.cpu_count() or 1))
    seconds = time.perf_counter() - started
    mean = sum(r.total for r in results) / len(results) if results else 0.0
    errors = sum(c.status == "error" for r in results for q in r.questions for c in q.checks)
    owned = grader_errors(results)
    missing = sorted({layer for r in results for layer in r.sandbox_missing})
    if missing:
        warning(console, f"sandbox layers missing: {'; '.join(missing)}")
    _list_grader_errors(console, owned, store)
    kept = f", {len(done)} kept from an earlier run" if done else ""
    kept += f", {len(submissions) - len(results)} not graded" if len(results) < len(submissions) else ""
    say(console, f"Graded {len(results) - len(done)} of {len(submissions)} submissions of {assignment.name}{kept} "
        f"in {seconds:.1f} s (reference {'cached' if cached else 'run'}): mean {mean:.2f} / "
        f"{assignment.rubric.max_total:g}, "
        f"{errors} checks hit errors in student code, {len(owned)} grader errors -> {store.index_path}")
    if args.worksheet and results and write_for_moodle(args.out, args.worksheet, console) != EXIT_OK:
        return EXIT_USAGE
    return EXIT_GRADER_FAILED if undone.not_graded else EXIT_OK
