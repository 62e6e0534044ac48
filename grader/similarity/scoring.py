"""How much two files share, once what everyone shares is taken out.

A fingerprint found in the starter, the reference or the ``--also`` folder weighs nothing: a
student who kept the handed-out code shares it with the whole class. Any other fingerprint
weighs by how rare it is in the class, ``log(N / df) / log(N / 2)`` capped at 1 (``df``: how
many students have it): one that only two students have weighs 1, one the whole class has 0.
A pair's score in one view is the weight the two share over the weight of the smaller file
(so dead code added to a copy does not hide it), scaled down for files whose own weight is
smaller than ``MIN_MASS`` (a nearly empty file shares all of its little with anyone).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

MIN_MASS = 12.0


@dataclass
class Weighted:
    """One view's fingerprints of one file, zero-weight ones left out, and their total weight."""

    keys: frozenset
    mass: float


def rarity_weights(prints: dict[str, set], ignored: set) -> dict[Hashable, float]:
    """Weight of every fingerprint present in ``prints`` (owner -> keys), ``ignored`` ones at 0."""
    df: Counter = Counter()
    for keys in prints.values():
        df.update(keys)
    n = len(prints)
    if n <= 3:
        return {key: 0.0 if key in ignored else 1.0 for key in df}
    scale = math.log(n / 2)
    return {key: 0.0 if key in ignored else min(1.0, max(0.0, math.log(n / count) / scale))
            for key, count in df.items()}


def weighted(keys: Iterable, weights: dict[Hashable, float]) -> Weighted:
    """``keys`` with positive weight, and their total weight."""
    kept = frozenset(k for k in keys if weights.get(k, 0.0) > 0.0)
    return Weighted(kept, sum(weights[k] for k in kept))


def similarity(a: Weighted, b: Weighted, weights: dict[Hashable, float], min_mass: float = MIN_MASS) -> float:
    """Shared weight over the smaller file's weight, damped below ``min_mass``; 0 to 1."""
    smaller = min(a.mass, b.mass)
    if smaller <= 0.0:
        return 0.0
    shared = sum(map(weights.__getitem__, a.keys & b.keys))
    return min(1.0, shared / smaller) * min(1.0, smaller / min_mass)
