"""Inside a Gradescope autograder: grade /autograder/submission, write results/results.json.

``run_autograder`` (made by ``grade gradescope``) runs ``python -m grader.lms.gradescope ROOT``.
The rubric and the reference's observations come from ``ROOT/source/selfcheck`` (no reference
source is shipped). Manual checks are left to Gradescope's own manual grading; public checks
are visible at once, hidden ones after the grades are published. Every output is plain text
(``output_format: text``): what a student's code printed or raised is never read as HTML or
Markdown.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from grader.grading import grade_submission
from grader.plan import GradingPlan
from grader.render.html import fmt
from grader.results import Result
from grader.sandbox.parent.pool import make_launcher
from grader.lms.selfcheck import load_selfcheck

VISIBILITY = {"public": "visible", "hidden": "after_published"}


def submission_folder(root: Path, files: list[str], depth: int = 8) -> Path:
    """``ROOT/submission``, or the folder inside it that a student's upload wrapped the files in
    (``hw1/``, ``hw1/hw1/``; Mac's ``__MACOSX`` and hidden folders aside)."""
    folder = root / "submission"
    for _ in range(depth):
        if not folder.is_dir() or any((folder / name).is_file() for name in files):
            return folder
        inner = [p for p in folder.iterdir()
                 if p.is_dir() and not p.is_symlink() and not p.name.startswith((".", "__"))]
        if len(inner) != 1:
            return folder
        folder = inner[0]
    return folder


def gradescope_results(result: Result, seconds: float) -> dict:
    """Gradescope's results.json: one test per automatic check."""
    tests = []
    for q in result.questions:
        for c in q.checks:
            if c.kind == "manual":
                continue
            tests.append({"name": f"{q.id}: {c.title or c.id}", "score": c.points, "max_score": c.max_points,
                          "output": c.message, "output_format": "text", "visibility": VISIBILITY[c.visibility]})
    score = sum(t["score"] for t in tests)
    missing = f" Sandbox layers missing here: {'; '.join(result.sandbox_missing)}." if result.sandbox_missing else ""
    return {"score": round(score, 6), "execution_time": round(seconds, 3), "stdout_visibility": "visible",
            "output_format": "text",
            "output": f"{result.assignment}: {fmt(score)} / {fmt(sum(t['max_score'] for t in tests))} automatic "
                      f"points; questions marked by hand are graded separately.{missing}",
            "tests": tests}


def main(root: Path) -> int:
    """Grade the submission under ``root`` and write ``root/results/results.json``."""
    started = time.perf_counter()
    assignment, expected = load_selfcheck(root / "source" / "selfcheck")
    folder = submission_folder(root, [q.file for q in assignment.rubric.questions])
    with make_launcher("auto") as launcher:
        result = grade_submission(GradingPlan.build(assignment), folder, expected, launcher=launcher,
                                  student="submission")
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(json.dumps(gradescope_results(result, time.perf_counter() - started),
                                                              indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/autograder")))
