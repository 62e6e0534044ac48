"""On the corpus of tests/similarity/corpus: every planted copy ranks above every independent pair."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignments import find_assignment
from grader.plan import GradingPlan
from grader.similarity.models import DEFAULT_THRESHOLD
from grader.similarity.engine import similarity_report
from grader.handins.submissions import find_submissions

CORPUS = Path(__file__).parent / "corpus"


def planted(a: str, b: str) -> bool:
    """A copy and the original it was made from (``copy_<disguise>_<name>`` and ``ind_<name>``)."""
    return any(x.startswith("copy_") and y == "ind_" + x.split("_", 2)[2] for x, y in ((a, b), (b, a)))


@pytest.mark.parametrize("assignment, question", [("comp4901y-hw1", "question2"),
                                                  ("soton-lab2-autograd", "question1")])
def test_planted_copies_rank_above_every_independent_pair(assignment, question):
    submissions = find_submissions(CORPUS / assignment)
    report, _ = similarity_report(GradingPlan.build(find_assignment(assignment)), submissions, DEFAULT_THRESHOLD)
    q = next(q for q in report.questions if q.id == question)
    assert not q.missing, "every file, the notebooks included, is read"
    copies = [p for p in q.pairs if planted(p.a, p.b)]
    others = [p for p in q.pairs if not planted(p.a, p.b)]
    assert len(copies) == sum(s.student.startswith("copy_") for s in submissions)
    assert min(p.score for p in copies) > max(p.score for p in others)
    assert all(p.flagged for p in copies) and not any(p.flagged for p in others)
    assert q.pairs_compared == len(submissions) * (len(submissions) - 1) // 2
