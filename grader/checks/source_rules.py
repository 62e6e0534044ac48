"""Finding calls, methods, module uses, keywords, assignments and expressions in source code, on the AST.

Names are followed as Python binds them and code that cannot run is skipped where asked (``source_names``).
"""
from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from grader.checks.source_names import Names, dotted, literal, walk

PATTERN_FIELDS = ("call", "method", "module", "keyword", "assign", "expr", "any_of")


class Pattern(BaseModel):
    """One of ``call: torch.einsum``, ``method: backward``, ``module: torch.autograd``,
    ``keyword: requires_grad=True``, ``assign: requires_grad=True``, ``expr: "torch.sum((_ - _) ** 2)"``
    (an expression; ``_`` stands for any expression, ``...`` for any further arguments), or
    ``any_of: [patterns]`` (equivalent forms, any one will do); ``why`` is shown to students.
    ``keyword`` may also narrow a ``call`` or ``method`` to calls passing it
    (``{call: torch.nn.functional.mse_loss, keyword: reduction='sum'}``). ``max_args`` limits a call or
    method match to calls with at most that many positional arguments (``loss.backward()`` but not a
    student's own ``model.backward(loss)``)."""

    model_config = ConfigDict(extra="forbid")
    call: str | None = None
    method: str | None = None
    module: str | None = None
    keyword: str | None = None
    assign: str | None = None
    expr: str | None = None
    any_of: list["Pattern"] | None = None
    max_args: int | None = None
    why: str = ""

    @model_validator(mode="after")
    def _exactly_one(self) -> "Pattern":
        given = [f for f in PATTERN_FIELDS if getattr(self, f)]
        if self.keyword and (self.call or self.method):
            given.remove("keyword")
        if len(given) != 1:
            raise ValueError(f"a pattern needs exactly one of {', '.join(PATTERN_FIELDS)} (or `keyword` with `call` "
                             f"or `method`); got {given or 'none'}")
        if self.expr:
            try:
                ast.parse(self.expr, mode="eval")
            except SyntaxError as exc:
                raise ValueError(f"expr {self.expr!r} is not a Python expression ({exc.msg})") from None
        if self.keyword:
            _split_eq(self.keyword)
        return self

    def label(self) -> str:
        """``call torch.einsum``; ``one of: ...`` for alternatives."""
        if self.any_of:
            return "one of: " + ", ".join(p.label() for p in self.any_of)
        main = next(f for f in PATTERN_FIELDS if getattr(self, f))
        text = f"{main} {getattr(self, main)}"
        return text + (f" with {self.keyword}" if self.keyword and main != "keyword" else "")


@dataclass
class Hit:
    """Where a pattern matched."""

    line: int
    text: str


@functools.lru_cache(maxsize=256)
def _split_eq(text: str) -> tuple[str, object]:
    """``name=value`` as its name and literal value (``...`` for any value); parsed once per rule text."""
    name, _, value = text.partition("=")
    try:
        return name.strip(), ast.literal_eval(value.strip()) if value else ...
    except (ValueError, SyntaxError):
        raise ValueError(f"keyword {text!r} must read `name` or `name=<Python literal>`, e.g. reduction='sum'") from None


# --- matching -----------------------------------------------------------------------------------------------

def _in_module(name: str | None, module: str) -> bool:
    return bool(name) and (name == module or name.startswith(module + "."))


def _has_keyword(node: ast.Call, names: Names, keyword: str) -> bool:
    key, value = _split_eq(keyword)
    passed = [(k.arg, literal(k.value)) for k in node.keywords if k.arg]
    bound = names.alias(node.func).keywords if names.alias(node.func) else ()
    return any(k == key and (value is ... or v == value) for k, v in passed + list(bound))


def _matches_expr(node: Any, template: Any, names: Names) -> bool:
    """``node`` has the shape of ``template``: ``_`` is any expression, names compare as qualified names."""
    if isinstance(template, ast.Name) and template.id == "_":
        return isinstance(node, ast.AST)
    if isinstance(template, (ast.Name, ast.Attribute)) and dotted(template):
        return isinstance(node, (ast.Name, ast.Attribute, ast.Call)) and names.qualified(node) == dotted(template)
    if isinstance(template, ast.AST):
        if type(node) is not type(template):
            return False
        if isinstance(template, ast.Call):
            return (_matches_expr(node.func, template.func, names) and _args_match(node.args, template.args, names)
                    and all(any(k.arg == t.arg and _matches_expr(k.value, t.value, names) for k in node.keywords)
                            for t in template.keywords))
        return all(_matches_expr(getattr(node, f, None), value, names) for f, value in ast.iter_fields(template)
                   if f != "ctx")
    if isinstance(template, list):
        return isinstance(node, list) and _args_match(node, template, names)
    return node == template


def _args_match(nodes: list, templates: list, names: Names) -> bool:
    if templates and isinstance(templates[-1], ast.Constant) and templates[-1].value is Ellipsis:
        head = templates[:-1]
        return len(nodes) >= len(head) and all(_matches_expr(n, t, names) for n, t in zip(nodes, head))
    return len(nodes) == len(templates) and all(_matches_expr(n, t, names) for n, t in zip(nodes, templates))


def _hit(pattern: Pattern, node: ast.AST, names: Names) -> str | None:
    """What ``node`` shows of ``pattern`` (the hit's text), or None."""
    if isinstance(node, ast.Call) and pattern.max_args is not None and len(node.args) > pattern.max_args:
        return None
    if pattern.call or pattern.method:
        if not isinstance(node, ast.Call) or (pattern.keyword and not _has_keyword(node, names, pattern.keyword)):
            return None
        if pattern.call:
            return pattern.call if names.qualified(node.func) == pattern.call else None
        named = names.qualified(node.func) or ""
        if (isinstance(node.func, ast.Attribute) and node.func.attr == pattern.method) or \
                ("." in named and named.rsplit(".", 1)[-1] == pattern.method):
            return f".{pattern.method}()"
        return None
    if pattern.module and isinstance(node, (ast.Name, ast.Attribute)):
        # one hit per use: an attribute of something already in the module is that use again
        inner_hit = isinstance(node, ast.Attribute) and _in_module(names.qualified(node.value), pattern.module)
        name = names.qualified(node)
        return name if _in_module(name, pattern.module) and not inner_hit else None
    if pattern.module and isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        return f"import {pattern.module}" if any(_in_module(m, pattern.module) for m in modules) else None
    if pattern.keyword and isinstance(node, ast.Call):
        return pattern.keyword if _has_keyword(node, names, pattern.keyword) else None
    if pattern.assign and isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        key, value = _split_eq(pattern.assign)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        matches_value = value is ... or (isinstance(node.value, ast.Constant) and node.value.value == value)
        return pattern.assign if matches_value and any(isinstance(t, ast.Attribute) and t.attr == key
                                                       for t in targets) else None
    if pattern.expr and isinstance(node, ast.expr):
        template = _template(pattern.expr)
        return pattern.expr if _matches_expr(node, template, names) else None
    return None


def _node_types(pattern: Pattern) -> tuple[type, ...]:
    """The kinds of node ``_hit`` can match for ``pattern`` (the others are skipped without asking)."""
    if pattern.call or pattern.method:
        return (ast.Call,)
    types: tuple[type, ...] = ()
    if pattern.module:
        types += (ast.Name, ast.Attribute, ast.Import, ast.ImportFrom)
    if pattern.keyword:
        types += (ast.Call,)
    if pattern.assign:
        types += (ast.Assign, ast.AugAssign, ast.AnnAssign)
    if pattern.expr:
        types += (ast.expr,)
    return types


@functools.lru_cache(maxsize=256)
def _template(expr: str) -> ast.expr:
    """An ``expr`` rule parsed once (templates are only read)."""
    return ast.parse(expr, mode="eval").body


def _forms(pattern: Pattern) -> list[Pattern]:
    """The pattern itself, or every form its ``any_of`` allows (nested ones included)."""
    return [form for p in pattern.any_of for form in _forms(p)] if pattern.any_of else [pattern]


def find(pattern: Pattern, tree: ast.AST, names: Names, live: bool = False) -> list[Hit]:
    """Every place in ``tree`` where ``pattern`` (or one of its ``any_of`` forms) occurs; with ``live``, only
    in code that can run."""
    return find_each([pattern], tree, names, live)[0]


def find_each(patterns: list[Pattern], tree: ast.AST, names: Names, live: bool = False) -> list[list[Hit]]:
    """``find`` for several patterns in one walk of ``tree``: the hits of each, in the order given."""
    forms = [(index, form, _node_types(form)) for index, pattern in enumerate(patterns) for form in _forms(pattern)]
    hits: list[list[Hit]] = [[] for _ in patterns]
    if not patterns:
        return hits
    by_type: dict[type, list[tuple[int, Pattern]]] = {}  # the forms a kind of node can match, found once per kind
    for node, scope in walk(tree, names, live):
        kind = type(node)
        if kind not in by_type:
            by_type[kind] = [(index, form) for index, form, types in forms if issubclass(kind, types)]
        found: set[int] = set()
        for index, form in by_type[kind]:
            if index not in found and (text := _hit(form, node, scope)):
                hits[index].append(Hit(getattr(node, "lineno", 0), text))
                found.add(index)
    return [sorted(found, key=lambda h: h.line) for found in hits]


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


def definitions(tree: ast.Module) -> dict[str, ast.AST]:
    """Every top-level function and class of a module by name (a later definition wins, as it does in Python)."""
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def with_helpers(tree: ast.Module, scope: ast.AST) -> list[ast.AST]:
    """``scope`` and the module's own functions it calls, directly or through each other (``self.helper()``
    for a method's class siblings)."""
    defined = definitions(tree)
    methods = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.ClassDef):
            methods.update({m.name: m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))})
    found, queue = [scope], [scope]
    while queue:
        for node in ast.walk(queue.pop()):
            if not isinstance(node, ast.Call):
                continue
            callee = None
            if isinstance(node.func, ast.Name):
                callee = defined.get(node.func.id)
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id == "self":
                callee = methods.get(node.func.attr)
            if callee is not None and all(callee is not f for f in found):
                found.append(callee)
                queue.append(callee)
    return found
