"""Ranking pairs by score and grouping flagged pairs into clusters."""
from __future__ import annotations

from grader.similarity.models import Cluster, Pair


def combined(tokens: float, structure: float, ops: float | None) -> float:
    """A pair's score: the stronger of the token and structure views, raised by rare shared torch ops.

    The ops evidence raises the text score in proportion to it (``text + (1 - text) * ops * text``),
    so the ops view alone never flags a pair: two students may reach the same unusual ops on
    their own, but not also write alike.
    """
    text = max(tokens, structure)
    return text if ops is None else text + (1.0 - text) * ops * text


def rank(pairs: list[Pair], threshold: float, keep: int) -> list[Pair]:
    """Pairs best first: every flagged pair (marked), then the next ``keep`` highest."""
    ordered = sorted(pairs, key=lambda p: (-p.score, p.a, p.b))
    for pair in ordered:
        pair.flagged = pair.score >= threshold
    flagged = sum(p.flagged for p in ordered)
    return ordered[:flagged + keep]


def clusters(pairs: list[Pair]) -> list[Cluster]:
    """Groups of more than two students joined by flagged pairs, largest first."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    flagged = [p for p in pairs if p.flagged]
    for pair in flagged:
        parent[root(pair.a)] = root(pair.b)
    groups: dict[str, list[str]] = {}
    for name in list(parent):
        groups.setdefault(root(name), []).append(name)
    found = []
    for members in groups.values():
        if len(members) > 2:
            inside = [p for p in flagged if p.a in members]
            found.append(Cluster(students=sorted(members), best=max(p.score for p in inside), pairs=len(inside)))
    return sorted(found, key=lambda c: (-len(c.students), -c.best, c.students))
