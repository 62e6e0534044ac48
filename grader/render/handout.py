"""The README of a student handout, from ``templates/handout_readme.md``."""
from __future__ import annotations

from grader.render.html import environment
from grader.rubric import Rubric


def render_handout_readme(full: Rubric, public: Rubric) -> str:
    """What students read first: the files to write, how to self-check, what the public checks cover."""
    questions = [{"file": q.file, "title": q.title, "id": q.id, "points": q.max_points} for q in full.questions]
    return environment().get_template("handout_readme.md").render(
        title=full.title or full.assignment, assignment=full.assignment, questions=questions,
        public_questions=public.questions, public_points=public.max_total, total_points=full.max_total,
        hidden_points=full.max_total - public.max_total)
