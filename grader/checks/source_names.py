"""What names mean in a module, as Python binds them, and which code can run: for source rules (on the AST).

Names are resolved through ``import torch as th``, ``from torch import einsum``, aliases by assignment
(``loss_fn = F.cross_entropy``, ``init = torch.randn``, ``self.loss = nn.MSELoss``), bound methods
(``zero = opt.zero_grad``), ``functools.partial(F.mse_loss, reduction='sum')`` and ``getattr(torch, "einsum")``,
each in the scope it is bound in. ``walk`` with ``live`` skips code Python never runs: a branch under a module
constant that rules it out (``if USE_EINSUM:`` with ``USE_EINSUM = False``), and statements after a ``return``.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Iterator

UNKNOWN = object()


@dataclass(frozen=True)
class Alias:
    """What a name stands for: a qualified name (``torch.nn.functional.cross_entropy``) and, for a
    ``functools.partial``, the keywords it binds."""

    target: str
    keywords: tuple[tuple[str, Any], ...] = ()


@dataclass
class Names:
    """What names mean in one scope: aliases (imports, assignments) and module constants."""

    aliases: dict[str, Alias] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    _inner: dict[int, tuple[ast.AST, "Names"]] = field(default_factory=dict, repr=False, compare=False)

    def qualified(self, node: ast.AST) -> str | None:
        """The dotted name an expression stands for (``th.einsum`` -> ``torch.einsum``), or None."""
        alias = self.alias(node)
        return alias.target if alias else None

    def alias(self, node: ast.AST) -> Alias | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, Alias(node.id))
        if isinstance(node, ast.Attribute):
            text = dotted(node)
            if text and text in self.aliases:
                return self.aliases[text]
            base = self.alias(node.value)
            return Alias(f"{base.target}.{node.attr}") if base else None
        if isinstance(node, ast.Call) and is_getattr(node):
            base = self.alias(node.args[0])
            return Alias(f"{base.target}.{node.args[1].value}") if base else None
        return None

    def inside(self, function: ast.AST) -> "Names":
        """The names of a function's body: the enclosing ones, overlaid with its own bindings (made once per
        function: names are only read once made, and a file's source checks walk the same functions)."""
        made = self._inner.get(id(function))
        if made is not None and made[0] is function:
            return made[1]
        local = Names(dict(self.aliases), dict(self.constants))
        _bind(local, _own_statements(function))
        self._inner[id(function)] = (function, local)
        return local


def dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def is_getattr(node: ast.Call) -> bool:
    return (isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) == 2
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str))



_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")  # a statement's fields that hold statements


def _own_statements(scope: ast.AST) -> list[ast.stmt]:
    """The statements of a scope's own body in source order, not entering nested functions or classes."""
    found, stack = [], list(getattr(scope, "body", []))
    while stack:
        node = stack.pop()
        found.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for block in _BLOCKS:  # only blocks hold statements: no expression does (a lambda's body is one)
                for inner in getattr(node, block, ()):
                    stack.extend(inner.body if isinstance(inner, (ast.excepthandler, ast.match_case)) else [inner])
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def _alias_value(value: ast.AST, names: Names) -> Alias | None:
    """What ``x = value`` makes ``x`` stand for, when it names something: a dotted name, a getattr,
    a bound method, a ``functools.partial``."""
    if isinstance(value, (ast.Name, ast.Attribute)) or (isinstance(value, ast.Call) and is_getattr(value)):
        return names.alias(value)
    if isinstance(value, ast.Call) and names.qualified(value.func) in ("functools.partial", "partial") and value.args:
        inner = names.alias(value.args[0])
        if inner:
            bound = tuple((k.arg, literal(k.value)) for k in value.keywords if k.arg)
            return Alias(inner.target, inner.keywords + bound)
    return None


def literal(node: ast.AST) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return UNKNOWN


def _bind(names: Names, statements, resolver: Names | None = None) -> None:
    """Add the aliases that ``statements`` bind to ``names``, in order (``resolver``: where their values' names
    are looked up, ``names`` itself by default); a name rebound to anything else loses its alias."""
    outer = resolver or names
    for node in statements:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    names.aliases[a.asname] = Alias(a.name)
                else:
                    names.aliases.pop(a.name.split(".")[0], None)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for a in node.names:
                names.aliases[a.asname or a.name] = Alias(f"{node.module}.{a.name}")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            alias = _alias_value(node.value, outer)
            for target in targets:
                key = dotted(target)
                if key is None:
                    continue
                if alias is not None and alias.target != key:
                    names.aliases[key] = alias
                else:
                    names.aliases.pop(key, None)
                names.constants.pop(key, None)


def _module_constants(tree: ast.Module, nodes: list[ast.AST]) -> dict[str, Any]:
    """Module names bound once in the whole file (``nodes``: every node of ``tree``), at the top level, to a
    literal (``USE_EINSUM = False``)."""
    bound: dict[str, int] = {}
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound[node.id] = bound.get(node.id, 0) + 1
        elif isinstance(node, ast.Global):
            for name in node.names:
                bound[name] = bound.get(name, 0) + 2
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                name = (a.asname or a.name).split(".")[0]
                bound[name] = bound.get(name, 0) + 2
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound[node.name] = bound.get(node.name, 0) + 2
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, literal(node.value)
            if bound.get(name) == 1 and value is not UNKNOWN and isinstance(value, (bool, int, float, str, type(None))):
                constants[name] = value
    return constants


def module_names(tree: ast.Module) -> Names:
    """The names of a module's top level, plus attribute aliases (``self.loss = F.mse_loss``) from anywhere."""
    names = Names()
    _bind(names, _own_statements(tree))
    nodes = list(ast.walk(tree))
    names.constants = _module_constants(tree, nodes)
    attributes = Names()
    for node in nodes:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) for t in targets):
                _bind(attributes, [node], names)
    names.aliases.update({k: v for k, v in attributes.aliases.items() if "." in k})
    return names


def aliases_of(tree: ast.AST) -> Names:
    """What the module's names stand for (kept for callers that read one file)."""
    return module_names(tree) if isinstance(tree, ast.Module) else Names()


# --- walking only the code Python would run ---------------------------------------------------------------

def _truth(test: ast.AST, names: Names) -> Any:
    """True/False when the condition is decided by literals and module constants, else UNKNOWN."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    if isinstance(test, ast.Name) and test.id in names.constants:
        return bool(names.constants[test.id])
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _truth(test.operand, names)
        return UNKNOWN if inner is UNKNOWN else not inner
    if isinstance(test, ast.BoolOp):
        values = [_truth(v, names) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (UNKNOWN if UNKNOWN in values else True)
        return True if True in values else (UNKNOWN if UNKNOWN in values else False)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.NotEq, ast.Is,
                                                                                          ast.IsNot)):
        left, right = _value(test.left, names), _value(test.comparators[0], names)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        same = left == right if isinstance(test.ops[0], (ast.Eq, ast.Is)) else left != right
        return bool(same)
    return UNKNOWN


def _value(node: ast.AST, names: Names) -> Any:
    if isinstance(node, ast.Name):
        return names.constants.get(node.id, UNKNOWN)
    return literal(node)


def _live_body(statements: list[ast.stmt]) -> list[ast.stmt]:
    """A block up to its first ``return``, ``raise``, ``break`` or ``continue``: what follows never runs."""
    for i, statement in enumerate(statements):
        if isinstance(statement, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
            return statements[: i + 1]
    return statements


def _children(node: ast.AST, names: Names, live: bool) -> list[ast.AST]:
    if live and isinstance(node, (ast.If, ast.IfExp, ast.While)):
        truth = _truth(node.test, names)
        if truth is not UNKNOWN:
            if isinstance(node, ast.IfExp):
                return [node.test, node.body if truth else node.orelse]
            kept = node.body if truth else node.orelse
            return [node.test, *_live_body(kept)]
    children = []
    for name in node._fields:  # what ast.iter_fields gives, without a generator per node
        value = getattr(node, name, None)
        if isinstance(value, list):
            items = [v for v in value if isinstance(v, ast.AST)]
            children += _live_body(items) if live and name in ("body", "orelse", "finalbody") else items
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def walk(node: ast.AST, names: Names, live: bool = False) -> Iterator[tuple[ast.AST, Names]]:
    """Every node under ``node`` with the names of its scope; with ``live``, only code that can run."""
    stack = [(node, names)]
    while stack:
        current, scope = stack.pop()
        yield current, scope
        children = reversed(_children(current, scope, live))
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):  # its body in its own names
            inner, body = scope.inside(current), {id(statement) for statement in current.body}
            stack.extend((child, inner if id(child) in body else scope) for child in children)
        else:
            stack.extend((child, scope) for child in children)
