"""The similarity report as data: what ``--json`` writes and the HTML and CSV are made from."""
from __future__ import annotations

from pydantic import BaseModel, Field

DEFAULT_THRESHOLD = 0.5  # score from which a pair is flagged for a look

DISCLAIMER = ("A score is evidence for a person to look at, not a verdict: students who follow the same "
              "lecture notes, the same tutorial or the only sensible solution of a short question write "
              "alike. Read the side-by-side view, and talk with the students, before deciding anything.")


class Region(BaseModel):
    """Lines of the two files that match (first and last line of each, 1-based)."""

    a: tuple[int, int]
    b: tuple[int, int]


class FunctionMatch(BaseModel):
    """A function of one file and its closest function in the other, by shared subtrees."""

    a: str
    b: str
    share: float


class OpsRow(BaseModel):
    """One line of two op sequences aligned side by side: a run of each ('' for a gap), and whether they match."""

    a: str
    b: str
    same: bool


class OpsMatch(BaseModel):
    """The torch ops one graded call ran in each submission, in order, and how many students ran the same."""

    probe: str
    a: list[tuple[str, int]] = Field(description="the first runs of the call's op sequence: (op, times in a row)")
    b: list[tuple[str, int]]
    rows: list[OpsRow] = Field(default_factory=list, description="both sequences aligned")
    similarity: float = Field(description="how much of the two sequences aligns, whatever others ran")
    evidence: float = Field(0.0, description="what the two share that the reference and most students do not")
    same_in_class: int = Field(description="students (these two included) whose sequence for this call equals either's")
    as_reference: bool = Field(description="the reference ran exactly this sequence (no evidence)")


class Pair(BaseModel):
    """Two students' files for one question, scored in each view."""

    a: str
    b: str
    score: float
    tokens: float
    structure: float
    ops: float | None = None
    flagged: bool = False
    regions: list[Region] = Field(default_factory=list)
    functions: list[FunctionMatch] = Field(default_factory=list)
    ops_matches: list[OpsMatch] = Field(default_factory=list)


class Cluster(BaseModel):
    """More than two students linked by flagged pairs."""

    students: list[str]
    best: float
    pairs: int


class QuestionSimilarity(BaseModel):
    """One question's ranked pairs and clusters."""

    id: str
    file: str
    students: list[str]
    missing: list[str] = Field(default_factory=list, description="students without a readable file for it")
    baseline: list[str] = Field(default_factory=list, description="files whose fingerprints were ignored")
    pairs_compared: int = 0
    pairs: list[Pair] = Field(default_factory=list, description="flagged pairs and the next highest, best first")
    clusters: list[Cluster] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def flagged(self) -> list[Pair]:
        """The pairs at or above the threshold."""
        return [p for p in self.pairs if p.flagged]


class SimilarityReport(BaseModel):
    """Every question of an assignment."""

    assignment: str
    threshold: float
    views: list[str]
    disclaimer: str = DISCLAIMER
    ignored_from: list[str] = Field(default_factory=list, description="folders whose code counts for nothing")
    questions: list[QuestionSimilarity] = Field(default_factory=list)
