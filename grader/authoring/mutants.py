"""Mutants of a reference solution: AST rewrites that model real student mistakes.

Each operator walks the module and yields one mutant per place it applies; a mutant is the
whole rewritten file (``ast.unparse``) with a one-line description and the line it changed.
"""
from __future__ import annotations

import ast
import copy
import difflib
from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass
class Mutant:
    """One rewritten version of a question file."""

    question: str
    operator: str
    line: int
    function: str
    description: str
    source: str
    diff: str


def _is_call_to(node: ast.AST, names: tuple[str, ...]) -> bool:
    func = node.func if isinstance(node, ast.Call) else None
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    return name in names


def _einsum_swaps(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Call) and _is_call_to(node, ("einsum",)) and node.args \
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        spec = node.args[0].value
        inputs, _, output = spec.partition("->")
        if len(output) >= 2:
            swapped = output[1] + output[0] + output[2:]
            yield f"einsum output subscripts '{output}' -> '{swapped}'", \
                lambda n, s=f"{inputs}->{swapped}": setattr(n.args[0], "value", s)
        first = inputs.split(",")[0]
        if len(first) >= 2 and first[-1] != first[-2]:
            changed = first[:-2] + first[-1] + first[-2] + inputs[len(first):]
            yield f"einsum input subscripts '{inputs}' -> '{changed}'", \
                lambda n, s=f"{changed}->{output}" if output or "->" in spec else changed: setattr(n.args[0], "value", s)


def _transpose(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        if isinstance(node.right, ast.Attribute) and node.right.attr == "T":
            yield "matrix no longer transposed (x.T -> x)", lambda n: setattr(n, "right", n.right.value)
        else:
            yield "right operand of @ transposed", lambda n: setattr(n, "right", ast.Attribute(n.right, "T", ast.Load()))


def _wrong_dim(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Call) and _is_call_to(node, ("sum", "mean", "softmax", "argmax", "cat")):
        for kw in node.keywords:
            if kw.arg == "dim" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, int):
                yield f"reduction over dim {kw.value.value + 1} instead of {kw.value.value}", \
                    lambda n, i=node.keywords.index(kw): setattr(n.keywords[i].value, "value", n.keywords[i].value.value + 1)


def _dropped_two(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for side, other in (("left", "right"), ("right", "left")):
            value = getattr(node, side)
            if isinstance(value, ast.Constant) and value.value == 2:
                yield "factor of 2 dropped", lambda n, s=side: setattr(n, s, ast.Constant(1))


def _plus_minus(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        new = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        yield f"{'+' if isinstance(node.op, ast.Add) else '-'} replaced by {'-' if isinstance(new, ast.Sub) else '+'}", \
            lambda n, o=new: setattr(n, "op", o)


def _comparison(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    swaps = {ast.GtE: (ast.Gt, ">= -> >"), ast.Gt: (ast.GtE, "> -> >="), ast.LtE: (ast.Lt, "<= -> <"),
             ast.Lt: (ast.LtE, "< -> <=")}
    flips = {ast.GtE: (ast.Lt, ">= -> <"), ast.Gt: (ast.LtE, "> -> <="), ast.LtE: (ast.Gt, "<= -> >"),
             ast.Lt: (ast.GtE, "< -> >=")}
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in swaps:
        for table in (swaps, flips):
            op, text = table[type(node.ops[0])]
            yield f"comparison {text} (e.g. relu' wrong)", lambda n, o=op: n.ops.__setitem__(0, o())


def _mean_for_sum(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("sum", "mean"):
        new = "mean" if node.func.attr == "sum" else "sum"
        yield f"{node.func.attr}() replaced by {new}()", lambda n, a=new: setattr(n.func, "attr", a)


def _missing_zero(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and _is_call_to(node.value, ("zero_",)):
        yield "gradient reset (.zero_()) removed", lambda n: setattr(n, "value", ast.Constant(None))


def _off_by_one(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" and node.args:
        yield "loop runs one step fewer (range(n) -> range(n - 1))", \
            lambda n: n.args.__setitem__(-1 if len(n.args) < 3 else 1,
                                         ast.BinOp(n.args[-1 if len(n.args) < 3 else 1], ast.Sub(), ast.Constant(1)))


def _detached(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Return) and node.value is not None:
        yield "returned tensor detached from the graph", lambda n: setattr(
            n, "value", ast.Call(ast.Attribute(n.value, "detach", ast.Load()), [], []))


def _learning_rate(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
            and node.targets[0].id in ("lr", "learning_rate") and isinstance(node.value, ast.Constant):
        yield f"learning rate {node.value.value} -> {node.value.value * 10:g}", \
            lambda n: setattr(n, "value", ast.Constant(n.value.value * 10))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        for side in ("left", "right"):
            value = getattr(node, side)
            named_lr = (isinstance(value, ast.Attribute) and value.attr in ("lr", "learning_rate")) or \
                       (isinstance(value, ast.Name) and value.id in ("lr", "learning_rate"))
            if named_lr:
                yield "learning rate 10x too large", lambda n, s=side: setattr(
                    n, s, ast.BinOp(getattr(n, s), ast.Mult(), ast.Constant(10)))


INIT_SWAPS = {"randn": "rand", "rand": "randn", "randn_like": "rand_like", "rand_like": "randn_like",
              "normal_": "uniform_", "uniform_": "normal_", "xavier_uniform_": "kaiming_uniform_",
              "kaiming_uniform_": "xavier_uniform_", "xavier_normal_": "kaiming_normal_",
              "kaiming_normal_": "xavier_normal_", "zeros_": "ones_", "ones_": "zeros_"}
INIT_CALLS = tuple(name for name in INIT_SWAPS if name.endswith("_")) + ("constant_", "orthogonal_", "trunc_normal_")


def _dropped_call(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and _is_call_to(node.value, INIT_CALLS):
        name = ast.unparse(node.value.func)
        yield f"initialisation {name}(...) left out", lambda n: setattr(n, "value", ast.Constant(None))
    if isinstance(node, ast.Call) and _is_call_to(node, ("Dropout",)):
        yield "nn.Dropout(...) replaced by nn.Identity() (no dropout)", _to_identity
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and node.value.args \
            and _is_call_to(node.value, ("dropout",)):
        yield "dropout call left out", lambda n: setattr(n, "value", n.value.args[0])


def _to_identity(node: ast.Call) -> None:
    node.func = ast.Attribute(ast.Attribute(ast.Name("torch", ast.Load()), "nn", ast.Load()), "Identity", ast.Load())
    node.args, node.keywords = [], []


def _swapped_init(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if name in INIT_SWAPS:
            new = INIT_SWAPS[name]
            field = "attr" if isinstance(node.func, ast.Attribute) else "id"
            yield f"initialisation {name} replaced by {new}", lambda n, f=field, v=new: setattr(n.func, f, v)


def _reordered_view(node: ast.AST) -> Iterator[tuple[str, Callable[[ast.AST], None]]]:
    if isinstance(node, ast.Call) and _is_call_to(node, ("view", "reshape")) and not node.keywords:
        sizes = node.args[1:] if isinstance(node.func, ast.Name) or (
            isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "torch") else node.args
        holder = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (ast.Tuple, ast.List)) else None
        items = holder.elts if holder is not None else sizes
        if len(items) >= 2 and ast.dump(items[-1]) != ast.dump(items[-2]):
            yield f"{_is_call_name(node)} sizes reordered (the last two swapped: a view is not a transpose)", \
                lambda n, h=holder is not None, k=len(node.args) - len(sizes): _swap_last_two(
                    n.args[k].elts if h else n.args)


def _is_call_name(node: ast.Call) -> str:
    return node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id


def _swap_last_two(items: list) -> None:
    items[-1], items[-2] = items[-2], items[-1]


OPERATORS: dict[str, Callable[[ast.AST], Iterator]] = {
    "einsum-subscripts": _einsum_swaps, "transpose": _transpose, "wrong-dim": _wrong_dim,
    "dropped-factor-2": _dropped_two, "plus-minus": _plus_minus, "comparison": _comparison,
    "mean-for-sum": _mean_for_sum, "missing-zero_": _missing_zero, "off-by-one": _off_by_one,
    "detach": _detached, "learning-rate": _learning_rate, "dropped-call": _dropped_call, "swapped-init": _swapped_init,
    "reordered-view": _reordered_view,
}


def is_main_guard(node: ast.AST) -> bool:
    """Whether a node is the ``if __name__ == "__main__":`` block."""
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)


def enclosing_functions(tree: ast.Module) -> dict[int, str]:
    """For every node, the dotted name of the function or class around it ("" at module level)."""
    owners: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
            elif is_main_guard(child) and not prefix:
                name = "__main__"
            owners[id(child)] = name
            visit(child, name)

    visit(tree, "")
    return owners


def _skip(node: ast.AST, owner: str) -> bool:
    """Code no check can reach: the ``if __name__ == "__main__":`` block, plotting and data helpers."""
    return owner == "__main__" or is_main_guard(node) or owner.split(".")[-1] in ("plot", "make_data")


def generate(question: str, source: str) -> list[Mutant]:
    """Every mutant of one question file's source, in a stable order."""
    tree = ast.parse(source)
    original = ast.unparse(tree)
    owners = enclosing_functions(tree)
    nodes = [n for n in ast.walk(tree) if not _skip(n, owners.get(id(n), ""))]
    mutants = []
    for operator, find in OPERATORS.items():
        for index, node in enumerate(nodes):
            for description, apply in find(node):
                clone = copy.deepcopy(tree)
                target = [n for n in ast.walk(clone) if not _skip(n, enclosing_functions(clone).get(id(n), ""))][index]
                apply(target)
                ast.fix_missing_locations(clone)
                mutated = ast.unparse(clone)
                if mutated == original:
                    continue
                diff = "".join(difflib.unified_diff(original.splitlines(True), mutated.splitlines(True),
                                                    "reference", "mutant", n=1))
                mutants.append(Mutant(question, operator, getattr(node, "lineno", 0), owners.get(id(node), ""),
                                      description, mutated, diff))
    return mutants
