"""The structural view: every subtree of the AST, names and literals abstracted, as a bag per file.

A file becomes the multiset of hashes of its subtrees of at least ``MIN_NODES`` nodes (a
statement, an expression, a whole function body), with names the file binds as ``V`` and
constants by their type. A bag has no order, so reordered functions, moved helpers and
helpers inlined into their caller keep their subtrees. Each subtree also remembers the function
it sits in, so that a pair can be explained function by function ("forward" matches "fwd").
"""
from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

from grader.similarity.tokens import bound_names

MIN_NODES = 6
MODULE = "<module>"


@dataclass
class Unit:
    """One function (or the module's top-level code): its name, lines and subtree hashes."""

    name: str
    first: int
    last: int
    hashes: Counter = field(default_factory=Counter)


@dataclass
class StructurePrint:
    """A file's subtrees: the bag (``(hash, n)`` for the n-th copy) and the units they belong to."""

    bag: set[tuple[int, int]] = field(default_factory=set)
    units: list[Unit] = field(default_factory=list)
    lines: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def _is_docstring(node: ast.AST) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


class _Hasher:
    """Bottom-up hashes of every node, names the module binds abstracted."""

    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.found: list[tuple[int, int, ast.AST]] = []  # (hash, size, node)

    def label(self, node: ast.AST) -> str:
        kind = type(node).__name__
        if isinstance(node, ast.Name):
            return kind + ("" if node.id in self.bound else ":" + node.id)
        if isinstance(node, ast.Attribute):
            return kind + ("" if node.attr in self.bound else ":" + node.attr)
        if isinstance(node, ast.Constant):
            return kind + ":" + type(node.value).__name__
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.AugAssign)):
            return kind + ":" + type(node.op).__name__
        if isinstance(node, ast.Compare):
            return kind + ":" + ",".join(type(op).__name__ for op in node.ops)
        return kind

    def visit(self, node: ast.AST) -> tuple[int, int]:
        children = [c for c in ast.iter_child_nodes(node)
                    if not isinstance(c, (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop))
                    and not _is_docstring(c)]
        parts = [self.visit(c) for c in children]
        size = 1 + sum(s for _, s in parts)
        digest = hash((self.label(node), tuple(h for h, _ in parts)))
        if size >= MIN_NODES and hasattr(node, "lineno"):
            self.found.append((digest, size, node))
        return digest, size


def _units(found: list[tuple[int, int, ast.AST]], lines: int) -> list[Unit]:
    units = [Unit(MODULE, 1, max(1, lines))]
    for _, _, node in found:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            units.append(Unit(node.name, node.lineno, node.end_lineno or node.lineno))
    return units


def _owner(units: list[Unit], line: int) -> Unit:
    """The innermost unit containing ``line``."""
    inside = [u for u in units if u.first <= line <= u.last]
    return min(inside, key=lambda u: u.last - u.first) if inside else units[0]


def structure_print(text: str, tree: ast.Module | None = None) -> StructurePrint:
    """The structural fingerprints of a source text (empty when it does not parse; ``tree``: its AST,
    when parsed already)."""
    result = StructurePrint()
    try:
        tree = tree or ast.parse(text)
        hasher = _Hasher(bound_names(tree))
        hasher.visit(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return result
    result.units = _units(hasher.found, text.count("\n") + 1)
    counts: Counter = Counter()
    for digest, _, node in hasher.found:
        if isinstance(node, ast.Module):
            continue
        counts[digest] += 1
        result.bag.add((digest, counts[digest]))
        first, last = node.lineno, getattr(node, "end_lineno", None) or node.lineno
        result.lines.setdefault(digest, []).append((first, last))
        _owner(result.units, first).hashes[digest] += 1
    return result
