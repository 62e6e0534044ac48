"""The ops view: the sequence of torch ops each graded call ran, compared across the class.

Every call the rubric's checks make is run again in the sandbox with tracing on; the child sends
the torch functions the call reached, in order, as runs (``Tensor.__getitem__`` 48 times in a
row), however the code spelt them. Two files whose surface was rewritten (helpers inlined,
names changed, statements moved where the order does not matter to torch) still run alike.

Each sequence is cut into overlapping n-grams of ``SHINGLE`` runs (a run's length rounded down to
a power of two, so one loop pass more or less still matches). As in the text views, an n-gram the
reference also runs weighs nothing (it is what the question asks for) and any other weighs by how
rare it is in the class; a pair's evidence for one call is the weight the two share over the
smaller sequence's weight, and its ops score the mean over the calls both ran.
"""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from itertools import zip_longest

from grader.similarity.models import OpsMatch, OpsRow
from grader.similarity.scoring import Weighted, rarity_weights, similarity, weighted

Sequence = tuple[tuple[str, int], ...]
SHINGLE = 3  # runs per n-gram
MIN_OPS_MASS = 3.0  # a call with less rare weight than this is weak evidence, scaled down
SHOWN_RUNS = 80  # runs of each sequence shown side by side


def run_token(name: str, times: int) -> str:
    """A run as compared: the op and its length rounded down to a power of two (``torch.mul×4+``)."""
    return name if times == 1 else f"{name}×{1 << (times.bit_length() - 1)}+"


def shingles(sequence: Sequence) -> frozenset[Hashable]:
    """The n-grams of ``SHINGLE`` consecutive runs (the whole sequence when it is shorter)."""
    tokens = [run_token(name, times) for name, times in sequence]
    if len(tokens) <= SHINGLE:
        return frozenset([tuple(tokens)]) if tokens else frozenset()
    return frozenset(tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def alike(a: Sequence, b: Sequence) -> float:
    """How much of the two sequences aligns, run by run (difflib's ratio, 0 to 1), whatever anyone else ran."""
    ta, tb = [run_token(*r) for r in a], [run_token(*r) for r in b]
    return difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio() if ta or tb else 0.0


def _shown(run: tuple[str, int]) -> str:
    return run[0] if run[1] == 1 else f"{run[0]} ×{run[1]}"


def aligned_rows(a: Sequence, b: Sequence) -> list[OpsRow]:
    """The first ``SHOWN_RUNS`` runs of each sequence side by side, aligned, runs that match marked."""
    a, b = a[:SHOWN_RUNS], b[:SHOWN_RUNS]
    ta, tb = [run_token(*r) for r in a], [run_token(*r) for r in b]
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        for x, y in zip_longest(a[i1:i2], b[j1:j2]):
            rows.append(OpsRow(a=_shown(x) if x else "", b=_shown(y) if y else "", same=tag == "equal"))
    return rows


@dataclass
class OpsTable:
    """Each student's op sequence per graded call (probe id), and the reference's."""

    sequences: dict[str, dict[str, Sequence]]
    reference: dict[str, Sequence] = field(default_factory=dict)
    weights: dict[str, dict[Hashable, float]] = field(init=False)
    prints: dict[str, dict[str, Weighted]] = field(init=False)
    frequency: dict[str, Counter] = field(init=False)

    def __post_init__(self) -> None:
        self.weights, self.prints, self.frequency = {}, {}, {}
        probes = {p for calls in self.sequences.values() for p in calls}
        for probe in probes:
            ran = {s: calls[probe] for s, calls in self.sequences.items() if probe in calls}
            grams = {s: shingles(seq) for s, seq in ran.items()}
            self.weights[probe] = rarity_weights(grams, set(shingles(self.reference.get(probe, ()))))
            self.prints[probe] = {s: weighted(g, self.weights[probe]) for s, g in grams.items()}
            self.frequency[probe] = Counter(ran.values())

    def evidence(self, probe: str, a: str, b: str) -> float:
        """What the two sequences of one call share that the reference and most of the class do not, 0 to 1."""
        prints = self.prints[probe]
        return similarity(prints[a], prints[b], self.weights[probe], MIN_OPS_MASS)

    def similarity(self, a: str, b: str) -> float | None:
        """Mean evidence over the calls both ran (None when they share none)."""
        common = sorted(self.sequences.get(a, {}).keys() & self.sequences.get(b, {}).keys())
        if not common:
            return None
        return sum(self.evidence(p, a, b) for p in common) / len(common)

    def matches(self, a: str, b: str, most: int = 6) -> list[OpsMatch]:
        """The calls both ran, with both sequences side by side, strongest evidence first."""
        sa, sb = self.sequences.get(a, {}), self.sequences.get(b, {})
        found = []
        for probe in sorted(sa.keys() & sb.keys()):
            x, y = sa[probe], sb[probe]
            reference = self.reference.get(probe)
            counts = self.frequency[probe]
            found.append((self.evidence(probe, a, b), OpsMatch(
                probe=probe, a=list(x[:SHOWN_RUNS]), b=list(y[:SHOWN_RUNS]), rows=aligned_rows(x, y),
                similarity=round(alike(x, y), 3), evidence=round(self.evidence(probe, a, b), 3),
                same_in_class=counts[x] + (counts[y] if x != y else 0),
                as_reference=reference is not None and reference in (x, y))))
        return [m for _, m in sorted(found, key=lambda item: -item[0])[:most]]
