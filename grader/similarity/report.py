"""``similarity.html``, ``similarity.csv`` and the JSON of a similarity report."""
from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from grader.render.html import environment
from grader.render.spreadsheet import safe_cell
from grader.atomic import write_atomic
from grader.similarity.explain import matched_lines
from grader.similarity.models import Pair, SimilarityReport
from grader.similarity.sources import Document

MAX_SIDE_BY_SIDE = 25  # flagged pairs shown in full per question; the rest are listed
MAX_LISTED = 300  # pairs listed per question in the HTML; similarity.csv has them all
CSV_COLUMNS = ["question", "rank", "student_a", "student_b", "score", "tokens", "structure", "ops", "flagged",
               "cluster"]


def side_by_side(pair: Pair, a: Document, b: Document) -> dict:
    """Rows of the pair's two files: (label, text, matched) per line, each side separately."""
    hit_a, hit_b = matched_lines(pair.regions, "a"), matched_lines(pair.regions, "b")

    def rows(doc: Document, hits: set[int]) -> list[tuple[str, str, bool]]:
        labels = doc.labels
        return [(labels[i] if i < len(labels) else str(i + 1), line, i + 1 in hits)
                for i, line in enumerate(doc.lines)]

    return {"a": rows(a, hit_a), "b": rows(b, hit_b), "file_a": a.file, "file_b": b.file}


def render_similarity(report: SimilarityReport, documents: dict[str, dict[str, Document]]) -> str:
    """The HTML page; ``documents`` maps question id -> student -> document (for the side-by-side views)."""
    views = {}
    for q in report.questions:
        docs = documents.get(q.id, {})
        for i, pair in enumerate(q.flagged[:MAX_SIDE_BY_SIDE]):
            if pair.a in docs and pair.b in docs:
                views[(q.id, i)] = side_by_side(pair, docs[pair.a], docs[pair.b])
    css = environment().globals["css"] + resources.files("grader.render").joinpath(
        "templates/similarity.css").read_text()
    return environment().get_template("similarity.html").render(report=report, views=views, css=css,
                                                                shown=MAX_SIDE_BY_SIDE, listed=MAX_LISTED)


def similarity_csv(report: SimilarityReport) -> str:
    """One row per listed pair; text cells a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for q in report.questions:
        cluster_of = {name: i + 1 for i, c in enumerate(q.clusters) for name in c.students}
        for rank, p in enumerate(q.pairs, start=1):
            cluster = cluster_of.get(p.a, "") if p.flagged else ""
            writer.writerow([safe_cell(q.id), rank, safe_cell(p.a), safe_cell(p.b), p.score, p.tokens, p.structure,
                             "" if p.ops is None else p.ops, "yes" if p.flagged else "no", cluster])
    return out.getvalue()


def write_similarity(out_dir: Path, report: SimilarityReport, documents: dict[str, dict[str, Document]],
                     json_path: Path | None = None) -> Path:
    """Write ``similarity.html`` and ``similarity.csv`` in ``out_dir`` (and the JSON at ``json_path``)."""
    path = out_dir / "similarity.html"
    write_atomic(path, render_similarity(report, documents))
    write_atomic(out_dir / "similarity.csv", similarity_csv(report))
    if json_path is not None:
        write_atomic(json_path, report.model_dump_json(indent=2))
    return path
