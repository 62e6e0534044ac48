"""``grade audit``: prove the rubric catches wrong code before any student hands in."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.authoring.audit import AuditReport, audit
from grader.commands import EXIT_GRADER_FAILED, EXIT_OK, EXIT_USAGE
from grader.commands.shared import add_device_argument, add_launcher_argument, grading_plan
from grader.commands.printing import say, warning
from grader.render.html import write_audit
from grader.atomic import write_atomic
from grader.course.preloads import course_imports
from grader.sandbox.parent.pool import make_launcher


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``grade audit``."""
    parser.add_argument("assignment", help="assignment name or rubric file")
    parser.add_argument("--out", type=Path, default=Path("audit"), help="folder for audit.html (default: audit/)")
    parser.add_argument("--json", type=Path, help="also write the audit as JSON to this file")
    parser.add_argument("--seeds", type=int, default=3, help="seeds the reference must score full marks on")
    parser.add_argument("--mutants-only", action="store_true", help="leave out the correct variants (alternative "
                        "solutions, rewrites of the reference) and the inputs' edges: only wrong code is tried")
    add_device_argument(parser)
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="mutants graded at once")
    add_launcher_argument(parser)


def run(args: argparse.Namespace, console: Console) -> int:
    """0 when the reference gets full marks on every seed and every question kills >= 90% of mutants."""
    plan = grading_plan(args, console)
    if plan is None:
        return EXIT_USAGE
    with make_launcher(args.launcher, size=max(1, args.jobs), preload=course_imports(plan)) as launcher:
        report = audit(plan, launcher, seeds=args.seeds, jobs=args.jobs, variants=not args.mutants_only)
    table = Table(title=f"{report.assignment}: mutation audit")
    for column in ("question", "mutants", "killed", "equivalent", "survived", "score"):
        table.add_column(column)
    for q in report.questions:
        style = "" if q.score >= report.target else "red"
        table.add_row(q.id, str(len(q.mutants)), str(q.count("killed")), str(q.count("equivalent")),
                      str(q.count("survived")), f"{q.score:.0%}", style=style)
    console.print(table)
    for seed in report.seeds:
        state = "full marks" if not seed.failing else "NOT full marks: " + "; ".join(seed.failing)
        say(console, f"reference with seed {seed.seed}: {seed.points:g} / {seed.max_points:g} ({state})")
    for q in report.questions:
        for m in q.mutants:
            if m.status == "survived":
                hint = ", ".join(m.should_catch) or f"no check exercises `{m.function}`"
                warning(console, f"{q.id} line {m.line} ({m.function}): {m.description}; "
                        f"should have been caught by: {hint}", label="survivor")
    _print_variants(report, console)
    path = write_audit(args.out, report)
    if args.json:
        write_atomic(args.json, report.model_dump_json(indent=2))
    verdict = "passes" if report.passed else "does not pass"
    say(console, f"The rubric {verdict} the audit (target {report.target:.0%} of mutants killed per question; no "
        f"correct variant may lose marks) -> {path}")
    return EXIT_OK if report.passed else EXIT_GRADER_FAILED


def _print_variants(report: AuditReport, console: Console) -> None:
    """Correct variants that lose marks, and inputs correct code need not accept, beside the mutation score."""
    if not report.variants and not report.inputs:
        return
    tried = [v for v in report.variants if v.status != "not tried"]
    say(console, f"correct variants: {len(tried)} tried ({sum(v.origin == 'alternative' for v in tried)} alternative "
        f"solutions, {sum(v.origin == 'rewrite' for v in tried)} rewrites of the reference), "
        f"{len(report.false_negatives)} lose marks")
    for v in report.false_negatives:
        lost = v.max_points - v.points
        warning(console, f"{v.question}: {v.description} loses {lost:g} point{'' if lost == 1 else 's'}: "
                + "; ".join(v.lost[:3]), label="correct variant loses marks")
    for finding in report.inputs:
        warning(console, f"{finding.question}/{finding.check}: {finding.text}", label="input")
