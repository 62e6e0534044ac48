"""Helpers several ``grade`` verbs share: options, the plan and reference preamble, and the Moodle and
similarity outputs that ``grade batch`` can write besides its own."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from grader.assignments import find_assignment
from grader.commands import EXIT_OK, EXIT_USAGE
from grader.commands.printing import error, say, warning
from grader.device import DeviceError, resolve_device
from grader.handins.submissions import Submission
from grader.lms.moodle_export import export_to_moodle
from grader.observe import FileObservations
from grader.plan import GradingPlan
from grader.reference_cache import import_problems, reference_observations
from grader.rubric import RubricError
from grader.sandbox.parent.launcher import Launcher
from grader.similarity.models import DEFAULT_THRESHOLD
from grader.store import BatchStore


def add_device_argument(parser: argparse.ArgumentParser, what: str = "") -> None:
    """``--device``: where probes run."""
    parser.add_argument("--device", default="cpu", help=f"{what or 'cpu, cuda or cuda:N'} (default: cpu)")


def add_launcher_argument(parser: argparse.ArgumentParser) -> None:
    """``--launcher``: how children are started."""
    parser.add_argument("--launcher", choices=["auto", "fork-server", "spawn"], default="auto",
                        help="fork-server: fork children from warm interpreters (Linux, fast); spawn: a fresh "
                             "interpreter per child (everywhere); auto picks fork-server on Linux")


def _threshold(text: str) -> float:
    """A similarity threshold: a score between 0 and 1."""
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a score between 0 and 1")
    return value


def add_similarity_choices(parser: argparse.ArgumentParser, when: str = "") -> None:
    """``--also``, ``--threshold`` and ``--ops``: what a similarity report compares and flags (``when``: a note
    on when they apply, added to each help text)."""
    parser.add_argument("--also", type=Path, metavar="DIR",
                        help="earlier years' or public solutions: code found there is ignored like the starter's" + when)
    parser.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD,
                        help=f"score from which a pair is flagged for a look (default: {DEFAULT_THRESHOLD})" + when)
    parser.add_argument("--ops", action="store_true",
                        help="also run each graded call in the sandbox and compare the torch ops it ran, in order" + when)


def similarity_choices_problem(args: argparse.Namespace, asked: bool = True) -> str:
    """Why the similarity choices in ``args`` cannot be used ('' when they can); ``asked``: whether a report
    was asked for at all (``grade batch`` without ``--similarity`` writes none)."""
    given = [name for name, on in (("--ops", args.ops), ("--also", args.also is not None),
                                   ("--threshold", args.threshold != DEFAULT_THRESHOLD)) if on]
    if given and not asked:
        return f"{' and '.join(given)} only apply to the similarity report: add --similarity"
    if args.also is not None and not args.also.is_dir():
        return f"--also {args.also}: not a folder"
    return ""


def grading_plan(args: argparse.Namespace, console: Console) -> GradingPlan | None:
    """The plan for ``args.assignment`` on ``args.device`` (cpu for verbs without ``--device``), or None
    after printing why not."""
    try:
        return GradingPlan.build(find_assignment(args.assignment), resolve_device(getattr(args, "device", "cpu")))
    except (RubricError, DeviceError) as exc:
        error(console, str(exc))
        return None


def unsupported_platform(console: Console) -> bool:
    """True (after saying so) on native Windows, where the child's POSIX pipes and process groups do not exist."""
    if sys.platform != "win32":
        return False
    error(console, "the grader's sandbox needs a POSIX system (Linux or macOS); on Windows, "
          "run it inside WSL (wsl --install, then pip install the grader there)")
    return True


def working_reference(plan: GradingPlan, launcher: Launcher, console: Console,
                      refresh: bool = False) -> tuple[dict[str, FileObservations], bool] | None:
    """The reference's observations and whether they were cached, or None (after naming each error)
    when a question's reference file does not import."""
    reference, cached = reference_observations(plan, launcher, refresh=refresh)
    broken = import_problems(reference)
    if broken:
        error(console, f"the reference solution of {plan.assignment.name} does not import: " + "; ".join(broken))
        return None
    return reference, cached


def write_for_moodle(out: Path, worksheet: Path, console: Console) -> int:
    """Export the batch in ``out`` for Moodle and say what was written; the exit code."""
    try:
        done = export_to_moodle(BatchStore(out), worksheet)
    except (OSError, ValueError) as exc:
        error(console, str(exc))
        return EXIT_USAGE
    say(console, f"{done.worksheet}: {done.filled} rows filled"
        + (f" ({done.unmatched} graded students have no row: no Moodle id in their folder name, or not in this "
           "worksheet)" if done.unmatched else "")
        + f"; {done.feedback}: {done.zipped} reports. Upload both in the assignment's "
        "'Upload grading worksheet' and 'Upload multiple feedback files in a zip'.")
    if done.locked:
        warning(console, f"{len(done.locked)} rows say 'Grade can be changed: No' (locked, or released in a marking "
                f"workflow); Moodle would skip them, so they are left as they came: {', '.join(done.locked)}",
                label="not filled:")
    return EXIT_OK


def write_similarity_report(plan: GradingPlan, submissions: list[Submission], out: Path, console: Console, *,
                            threshold: float, also: Path | None, ops: bool, json_path: Path | None,
                            jobs: int = 1) -> Path:
    """Compare every pair of ``submissions``, write the report files, print a summary; the HTML's path."""
    from grader.similarity.engine import similarity_report
    from grader.similarity.report import write_similarity

    runner = None
    if ops:
        from grader.similarity.ops_runner import sandbox_ops_runner

        runner = sandbox_ops_runner(plan, jobs)
    report, documents = similarity_report(plan, submissions, threshold, also=also, ops_runner=runner)
    path = write_similarity(out, report, documents, json_path)
    for q in report.questions:
        top = ", ".join(f"{p.a} & {p.b} ({p.score:.2f})" for p in q.flagged[:3])
        say(console, f"{q.id}: {len(q.flagged)} of {q.pairs_compared} pairs flagged"
            + (f", {len(q.clusters)} clusters" if q.clusters else "") + (f": {top}" if top else ""))
    say(console, f"Similarity report -> {path} (a score is evidence to look at, not a verdict)")
    return path
