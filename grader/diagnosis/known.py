"""A known mistake: a mutant of the reference (one real student mistake) and what it observed on the probes."""
from __future__ import annotations

from pydantic import BaseModel

from grader.observe import FileObservations

# How each mutation operator reads to a student, where its own description would quote the reference's code.
PHRASES = {
    "einsum-subscripts": "the einsum subscripts in the wrong order",
    "wrong-dim": "the reduction over the wrong dimension",
}
NEVER_OBSERVABLE = frozenset({"detach"})  # a detached result has the same values: it can never explain one


class KnownMistake(BaseModel):
    """One mutant of a question's reference file and its observations of the question's value, gradient and
    step probes (computed once per rubric version, in the sandbox, like a student's)."""

    question: str
    operator: str
    function: str
    description: str
    observations: FileObservations

    def phrase(self) -> str:
        """``what the correct `backward` gives with one change: factor of 2 dropped``."""
        where = f" `{self.function.split('.')[-1]}`" if self.function else ""
        change = PHRASES.get(self.operator, self.description)
        return f"what the correct{where} gives with one change: {change}"
