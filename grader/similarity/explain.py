"""Why a pair scored: the regions of the two files that match, and which functions correspond."""
from __future__ import annotations

from grader.similarity.models import FunctionMatch, Region
from grader.similarity.structure import MODULE, StructurePrint
from grader.similarity.tokens import TokenPrint

GAP = 2  # lines between two matches that still make one region


def _spans(tokens_a: TokenPrint, tokens_b: TokenPrint, struct_a: StructurePrint, struct_b: StructurePrint,
           token_weights: dict, struct_weights: dict) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    spans = [(tokens_a.spans[h][0], tokens_b.spans[h][0])
             for h in tokens_a.spans.keys() & tokens_b.spans.keys() if token_weights.get(h, 0.0) > 0.0]
    for key in struct_a.bag & struct_b.bag:
        digest, n = key
        if struct_weights.get(key, 0.0) > 0.0:
            spans.append((struct_a.lines[digest][n - 1], struct_b.lines[digest][n - 1]))
    return spans


def regions(tokens_a: TokenPrint, tokens_b: TokenPrint, struct_a: StructurePrint, struct_b: StructurePrint,
            token_weights: dict, struct_weights: dict) -> list[Region]:
    """Matching line ranges, merged where they run on in both files, in the order of the first file."""
    merged: list[list[int]] = []  # [a_first, a_last, b_first, b_last]
    for (a1, a2), (b1, b2) in sorted(_spans(tokens_a, tokens_b, struct_a, struct_b, token_weights, struct_weights)):
        if merged:
            last = merged[-1]
            if a1 <= last[1] + GAP and last[2] - GAP <= b1 <= last[3] + GAP:
                last[1], last[3] = max(last[1], a2), max(last[3], b2)
                continue
            if last[0] <= a1 and a2 <= last[1]:
                continue  # a smaller match inside a region already found
        merged.append([a1, a2, b1, b2])
    return [Region(a=(r[0], r[1]), b=(r[2], r[3])) for r in merged]


def function_matches(a: StructurePrint, b: StructurePrint, weights: dict, least: float = 0.3) -> list[FunctionMatch]:
    """Each function of ``a`` with the function of ``b`` sharing most of its subtrees (at least ``least``)."""
    found = []
    for unit in a.units:
        if unit.name == MODULE or not unit.hashes:
            continue
        own = sum(weights.get((h, 1), 0.0) for h in unit.hashes)
        if own <= 0.0:
            continue
        best, share = "", 0.0
        for other in b.units:
            common = sum(weights.get((h, 1), 0.0) for h in unit.hashes.keys() & other.hashes.keys())
            if common / own > share:
                best, share = other.name, common / own
        if share >= least:
            found.append(FunctionMatch(a=unit.name, b=best, share=round(share, 3)))
    return found


def matched_lines(found: list[Region], side: str) -> set[int]:
    """Every line inside a region, on side ``a`` or ``b``."""
    lines: set[int] = set()
    for region in found:
        first, last = getattr(region, side)
        lines.update(range(first, last + 1))
    return lines
