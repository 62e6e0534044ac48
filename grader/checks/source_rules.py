"""Finding calls, methods, module uses, keywords and assignments in source code, on the AST.

Import aliases are resolved, so ``import torch as th; th.einsum(...)`` and
``from torch import einsum`` both count as ``torch.einsum``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, model_validator

PATTERN_FIELDS = ("call", "method", "module", "keyword", "assign")


class Pattern(BaseModel):
    """One of ``call: torch.einsum``, ``method: backward``, ``module: torch.autograd``,
    ``keyword: requires_grad=True``, ``assign: requires_grad=True``; ``why`` is shown to students.
    ``max_args`` limits a call or method match to calls with at most that many positional
    arguments (``loss.backward()`` but not a student's own ``model.backward(loss)``)."""

    model_config = ConfigDict(extra="forbid")
    call: str | None = None
    method: str | None = None
    module: str | None = None
    keyword: str | None = None
    assign: str | None = None
    max_args: int | None = None
    why: str = ""

    @model_validator(mode="after")
    def _exactly_one(self) -> "Pattern":
        given = [f for f in PATTERN_FIELDS if getattr(self, f)]
        if len(given) != 1:
            raise ValueError(f"a pattern needs exactly one of {', '.join(PATTERN_FIELDS)}; got {given or 'none'}")
        return self

    def label(self) -> str:
        """``call torch.einsum``."""
        field = next(f for f in PATTERN_FIELDS if getattr(self, f))
        return f"{field} {getattr(self, field)}"


@dataclass
class Hit:
    """Where a pattern matched."""

    line: int
    text: str


def _aliases(tree: ast.AST) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _qualified(node: ast.AST, aliases: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return aliases.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _qualified(node.value, aliases)
        return f"{base}.{node.attr}" if base else None
    return None


def _split_eq(text: str) -> tuple[str, object]:
    name, _, value = text.partition("=")
    return name.strip(), ast.literal_eval(value.strip()) if value else ...


def _in_module(name: str | None, module: str) -> bool:
    return bool(name) and (name == module or name.startswith(module + "."))


def find(pattern: Pattern, tree: ast.AST, aliases: dict[str, str]) -> list[Hit]:
    """Every place in ``tree`` where ``pattern`` occurs."""
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and pattern.max_args is not None and len(node.args) > pattern.max_args:
            continue
        line = getattr(node, "lineno", 0)
        if pattern.call and isinstance(node, ast.Call) and _qualified(node.func, aliases) == pattern.call:
            hits.append(Hit(line, pattern.call))
        elif pattern.method and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == pattern.method:
            hits.append(Hit(line, f".{pattern.method}()"))
        elif pattern.module and isinstance(node, (ast.Name, ast.Attribute)):
            # one hit per use: an attribute of something already in the module is that use again
            inner_hit = isinstance(node, ast.Attribute) and _in_module(_qualified(node.value, aliases), pattern.module)
            name = _qualified(node, aliases)
            if _in_module(name, pattern.module) and not inner_hit:
                hits.append(Hit(line, name))
        elif pattern.module and isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(_in_module(m, pattern.module) for m in modules):
                hits.append(Hit(line, f"import {pattern.module}"))
        elif pattern.keyword and isinstance(node, ast.Call):
            key, value = _split_eq(pattern.keyword)
            for kw in node.keywords:
                if kw.arg == key and (value is ... or (isinstance(kw.value, ast.Constant) and kw.value.value == value)):
                    hits.append(Hit(line, pattern.keyword))
        elif pattern.assign and isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            key, value = _split_eq(pattern.assign)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            matches_value = value is ... or (isinstance(node.value, ast.Constant) and node.value.value == value)
            if matches_value and any(isinstance(t, ast.Attribute) and t.attr == key for t in targets):
                hits.append(Hit(line, pattern.assign))
    return sorted(hits, key=lambda h: h.line)


def _last_definition(body: list[ast.stmt], name: str, kinds: tuple[type, ...]) -> ast.AST | None:
    """The last definition of ``name`` in ``body`` (a notebook's later cell redefines a name)."""
    return next((n for n in reversed(body) if isinstance(n, kinds) and n.name == name), None)


def scopes(tree: ast.Module, names: list[str]) -> dict[str, ast.AST | None]:
    """The top-level function or class definitions called ``names``, or methods written ``Class.method``
    (None where absent)."""
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    found: dict[str, ast.AST | None] = {}
    for name in names:
        head, _, method = name.partition(".")
        node = _last_definition(tree.body, head, (*functions, ast.ClassDef))
        if method:
            node = _last_definition(node.body, method, functions) if isinstance(node, ast.ClassDef) else None
        found[name] = node
    return found


def aliases_of(tree: ast.AST) -> dict[str, str]:
    """Import aliases of a module: local name -> qualified name."""
    return _aliases(tree)
