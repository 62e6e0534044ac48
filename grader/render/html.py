"""HTML reports (one page per student) and the class summary, from Jinja2 templates."""
from __future__ import annotations

import statistics
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

from grader.render.svg import curves_svg, histogram_svg
from grader.atomic import write_atomic
from grader.results import CheckResult, QuestionResult, Result
from grader.handins.student_names import storage_name


def fmt(value: float) -> str:
    """Points without noise: ``12``, ``2.5``, ``1.333``."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of every template in ``render/templates/`` (HTML autoescaped)."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("grader.render", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(fmt=fmt, curve=lambda c: curves_svg(c), report_file=lambda name: f"{storage_name(name)}.html",
                       status_label=status_label,
                       css=resources.files("grader.render").joinpath("templates/style.css").read_text())
    return env


def status_label(status: str) -> str:
    """A status as a reader reads it: ``grader error`` for ``grader_error``."""
    return status.replace("_", " ")


def grader_errors(results: list[Result]) -> list[tuple[Result, QuestionResult, CheckResult]]:
    """Every check of the batch whose failure was the grader's or the rubric's, for the instructor to look at."""
    return [(r, q, c) for r in results for q in r.questions for c in q.checks if c.status == "grader_error"]


def render_report(result: Result, note: str = "") -> str:
    """The student's page: every check, its points, status and message (``note`` shown on top)."""
    return environment().get_template("report.html").render(result=result, note=note)


def _attention(result: Result) -> list[tuple[str, str]]:
    counts: dict[str, int] = {}
    for q in result.questions:
        for c in q.checks:
            if c.status in ("error", "grader_error", "manual"):
                counts[c.status] = counts.get(c.status, 0) + 1
    return [(status, f"{n} {status_label(status)}") for status, n in sorted(counts.items())]


def render_index(results: list[Result]) -> str:
    """The class summary: students x questions, per-question statistics, histogram of totals."""
    questions = [q.id for q in results[0].questions] if results else []
    stats = []
    for i, qid in enumerate(questions):
        points = [r.questions[i].points for r in results]
        stats.append({"id": qid, "max_points": results[0].questions[i].max_points, "mean": statistics.fmean(points),
                      "median": statistics.median(points), "max": max(points)})
    max_total = results[0].max_total if results else 0.0
    return environment().get_template("index.html").render(
        assignment=results[0].assignment if results else "", rows=results, questions=questions, stats=stats,
        max_total=max_total, histogram=histogram_svg([r.total for r in results], max_total), attention=_attention,
        grader_errors=grader_errors(results))


def write_audit(out_dir: Path, report) -> Path:
    """Write ``<out>/audit.html`` for an ``AuditReport``."""
    path = out_dir / "audit.html"
    write_atomic(path, environment().get_template("audit.html").render(report=report))
    return path


def write_report(path: Path, result: Result) -> Path:
    """Write the student's report at ``path``."""
    write_atomic(path, render_report(result))
    return path


def write_index(path: Path, results: list[Result]) -> Path:
    """Write the class overview at ``path``."""
    write_atomic(path, render_index(results))
    return path
