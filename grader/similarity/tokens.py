"""The token view: winnowing fingerprints of a normalised token stream (as MOSS, Dolos and copydetect do).

Python's own ``tokenize`` reads the source. Comments, docstrings, blank lines and line breaks
inside brackets are dropped; names the file itself binds (functions, classes, parameters,
variables, attributes it assigns, import aliases) become ``V``, numbers ``N`` and strings ``S``;
keywords, operators and names it does not bind (``einsum``, ``range``, ``shape``) stay as they
are. Renaming, reformatting and re-commenting therefore leave the stream unchanged.

Winnowing (Schleimer, Wilkerson and Aiken, 2003) hashes every run of ``K`` tokens and keeps the
smallest hash of each window of ``W`` runs: any match of ``K + W - 1`` tokens or more shares at
least one fingerprint, and a file keeps about 2 / (W + 1) of its hashes.
"""
from __future__ import annotations

import ast
import builtins
import io
import keyword
import tokenize
import zlib
from dataclasses import dataclass, field
from functools import lru_cache

K = 9  # tokens per hashed run
W = 4  # runs per winnowing window
_BUILTINS = frozenset(dir(builtins))
_DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_STATEMENT_START = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, None}


@dataclass
class TokenPrint:
    """A file's winnowed fingerprints: each hash with the source lines its tokens span."""

    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    tokens: int = 0

    @property
    def hashes(self) -> set[int]:
        """The fingerprint hashes."""
        return set(self.spans)


@lru_cache(maxsize=8)  # keyed by the tree's identity: the token and structure views of one file share it
def bound_names(tree: ast.AST) -> frozenset[str]:
    """Names a module binds itself: defs, classes, parameters, assignment targets, assigned attributes, imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return frozenset(names - _BUILTINS)


def parse(text: str) -> ast.Module | None:
    """The module's AST, or None when it does not parse."""
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def normalised_tokens(text: str, tree: ast.Module | None = None) -> tuple[list[str], list[int]]:
    """The normalised tokens of ``text`` and the line of each (formatting, comments and docstrings gone);
    ``tree`` is its AST when the caller parsed it already."""
    tree = tree or parse(text)
    bound = bound_names(tree) if tree is not None else None
    out: list[str] = []
    lines: list[int] = []
    previous: int | None = None  # type of the last kept token
    pending_doc = False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tok.type
            if kind in _DROPPED:
                continue
            if kind == tokenize.STRING and previous in _STATEMENT_START:
                pending_doc = True  # a string statement is a comment; dropped if a NEWLINE ends it
                previous = kind
                continue
            if pending_doc:
                pending_doc = False
                if kind == tokenize.NEWLINE:
                    previous = kind
                    continue
                out.append("S")
                lines.append(tok.start[0])
            if kind == tokenize.NAME:
                name = tok.string
                keep = keyword.iskeyword(name) or (name not in bound if bound is not None else name in _BUILTINS)
                word = name if keep else "V"
            elif kind == tokenize.NUMBER:
                word = "N"
            elif kind == tokenize.STRING:
                word = "S"
            elif kind == tokenize.NEWLINE:
                word = ";"
            elif kind == tokenize.INDENT:
                word = "{"
            elif kind == tokenize.DEDENT:
                word = "}"
            else:
                word = tok.string
            out.append(word)
            lines.append(tok.start[0])
            previous = kind
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # what was read before the error still counts
    return out, lines


def _token_id(word: str, cache: dict[str, int] = {}) -> int:  # noqa: B006 - a process-wide memo
    found = cache.get(word)
    if found is None:
        found = cache[word] = zlib.crc32(word.encode())
    return found


def winnow(ids: list[int], lines: list[int], k: int = K, w: int = W) -> TokenPrint:
    """Winnowed fingerprints of a token-id sequence; each keeps the (first, last) line of its run."""
    result = TokenPrint(tokens=len(ids))
    if len(ids) < k:
        if ids:
            result.spans[hash(tuple(ids))] = [(lines[0], lines[-1])]
        return result
    grams = [hash(tuple(ids[i:i + k])) for i in range(len(ids) - k + 1)]
    chosen = -1
    for start in range(max(1, len(grams) - w + 1)):
        window = grams[start:start + w]
        low = min(window)
        at = start + max(i for i, h in enumerate(window) if h == low)  # rightmost minimum
        if at != chosen:
            chosen = at
            result.spans.setdefault(grams[at], []).append((lines[at], lines[at + k - 1]))
    return result


def token_print(text: str, tree: ast.Module | None = None, k: int = K, w: int = W) -> TokenPrint:
    """The token-view fingerprints of a source text (``tree``: its AST, when parsed already)."""
    words, lines = normalised_tokens(text, tree)
    return winnow([_token_id(word) for word in words], lines, k, w)
