"""Correct variants of a reference solution: rewrites that keep its meaning but change how it is written.

Mutants (``mutants``) find wrong code that keeps full marks; these find correct code that loses marks.
Each rewrite changes every place it applies to at once, the way another student would have written
the same solution: ``@`` as ``torch.matmul`` and back, a matrix ``einsum`` as ``@``, ``.T`` as
``.transpose(0, 1)``, ``relu`` as ``clamp(min=0)`` or a mask, indexing as ``index_select`` and back,
the ``.sum()`` of a one-element loss left out, arithmetic in float64, ``dim=`` passed by position
and back. Where the exact meaning depends on the values (a 1-D ``.T``, a ``.sum()`` over more than one
element, indices that are not an integer tensor), the rewrite calls a small function added to the
file that keeps the original behaviour there, so a rewrite never changes what a correct program
computes: whatever marks it loses, a correct student would lose too.
"""
from __future__ import annotations

import ast
import copy
import difflib
import re
from dataclasses import dataclass
from typing import Callable

from grader.authoring.mutants import enclosing_functions, is_main_guard

HELPERS = {
    "torch": "import torch\n",
    "_rw_take": '''
def _rw_take(table, index):
    """table[index] as index_select writes it, for an integer tensor index."""
    import torch
    if isinstance(table, torch.Tensor) and isinstance(index, torch.Tensor) and not index.is_floating_point() \\
            and index.dtype != torch.bool and table.dim() >= 1:
        return table.index_select(0, index.reshape(-1)).reshape(*index.shape, *table.shape[1:])
    return table[index]
''',
    "_rw_sum": '''
def _rw_sum(value):
    """value.sum(), except that a one-element tensor is returned as it is (its shape kept)."""
    import torch
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value
    return value.sum()
''',
    "_rw_t": '''
def _rw_t(value):
    """value.T written as transpose(0, 1) for a matrix."""
    import torch
    if isinstance(value, torch.Tensor) and value.dim() == 2:
        return value.transpose(0, 1)
    return value.T
''',
    "_rw_matmul": '''
def _rw_matmul(a, b):
    """a @ b written as an einsum when both are (batches of) matrices."""
    import torch
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dim() >= 2 and b.dim() >= 2:
        return torch.einsum("...ij,...jk->...ik", a, b)
    return a @ b
''',
    "_rw_in_float64": '''
def _rw_in_float64(function):
    """The function computed in float64 when given float32 tensors, its tensors given back in float32."""
    import functools
    import torch

    def cast(value, dtype):
        if isinstance(value, torch.Tensor) and value.dtype == (torch.float32 if dtype == torch.float64 else torch.float64):
            return value.to(dtype)
        if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
            return type(value)(cast(v, dtype) for v in value)
        return value

    @functools.wraps(function)
    def in_float64(*args, **kwargs):
        if not any(isinstance(a, torch.Tensor) and a.dtype == torch.float32 for a in [*args, *kwargs.values()]):
            return function(*args, **kwargs)
        default = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)  # tensors the function makes itself are float64 too
        try:
            result = function(*cast(list(args), torch.float64), **{k: cast(v, torch.float64) for k, v in kwargs.items()})
        finally:
            torch.set_default_dtype(default)
        return cast(result, torch.float32)
    return in_float64
''',
}

DIM_FIRST = ("sum", "mean", "softmax", "log_softmax", "argmax", "argmin", "cumsum", "prod", "logsumexp", "unsqueeze")


@dataclass
class Rewrite:
    """One correct variant of a question file."""

    question: str
    name: str
    description: str
    source: str
    diff: str
    touches: tuple[str, ...]


def _name(node: ast.AST) -> str | None:
    func = node.func if isinstance(node, ast.Call) else node
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _call(name: str, *args: ast.expr, **keywords: ast.expr) -> ast.Call:
    return ast.Call(ast.Name(name, ast.Load()), list(args), [ast.keyword(k, v) for k, v in keywords.items()])


def _torch(attr: str, *args: ast.expr, **keywords: ast.expr) -> ast.Call:
    func = ast.Attribute(ast.Name("torch", ast.Load()), attr, ast.Load())
    return ast.Call(func, list(args), [ast.keyword(k, v) for k, v in keywords.items()])


def _is_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0 and not isinstance(node.value, bool)


def _plain_call(node: ast.AST, names: tuple[str, ...], nargs: int) -> bool:
    """A call to one of ``names`` as ``torch.f(x, ...)``/``F.f(x, ...)`` or ``x.f(...)``, no keywords."""
    return isinstance(node, ast.Call) and _name(node) in names and not node.keywords and len(node.args) == nargs


class _Rewriter(ast.NodeTransformer):
    """Rewrites some nodes; ``sites`` counts them and ``helpers`` names the functions the file then needs."""

    def __init__(self, change: Callable[[ast.AST], ast.AST | None]) -> None:
        self.change, self.sites, self.helpers = change, 0, set()

    def visit(self, node: ast.AST) -> ast.AST:
        node = self.generic_visit(node)
        new = self.change(node)
        if new is None:
            return node
        self.sites += 1
        self.helpers |= {n.id for n in ast.walk(new) if isinstance(n, ast.Name) and n.id in HELPERS}
        return ast.copy_location(new, node)


def _matmul_call(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return _torch("matmul", node.left, node.right)
    return None


def _matmul_operator(node: ast.AST) -> ast.AST | None:
    if not isinstance(node, ast.Call) or node.keywords or _name(node) not in ("matmul", "mm"):
        return None
    if len(node.args) == 2 and isinstance(node.func, ast.Attribute) and _name(node.func.value) in ("torch",):
        return ast.BinOp(node.args[0], ast.MatMult(), node.args[1])
    if len(node.args) == 1 and isinstance(node.func, ast.Attribute) and _name(node.func.value) != "torch":
        return ast.BinOp(node.func.value, ast.MatMult(), node.args[0])
    return None


_MATMUL_SPEC = re.compile(r"^\s*(\.\.\.|[a-z]*)([a-z])([a-z])\s*,\s*\1\3([a-z])\s*->\s*\1\2\4\s*$")


def _einsum_as_matmul(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Call) and _name(node) == "einsum" and len(node.args) == 3 and not node.keywords \
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        match = _MATMUL_SPEC.match(node.args[0].value)
        if match and len({*match.group(1).replace(".", ""), *match.group(2, 3, 4)}) == \
                len(match.group(1).replace(".", "")) + 3:
            return ast.BinOp(node.args[1], ast.MatMult(), node.args[2])
    return None


def _matmul_as_einsum(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return _call("_rw_matmul", node.left, node.right)
    return None


def _transpose(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        return _call("_rw_t", node.value)
    if _plain_call(node, ("t",), 0) and isinstance(node.func, ast.Attribute):
        return ast.Attribute(node.func.value, "T", ast.Load())
    return None


def _relu_as_clamp(node: ast.AST) -> ast.AST | None:
    if _plain_call(node, ("relu",), 1) and _name(node.func.value if isinstance(node.func, ast.Attribute) else node) \
            in ("torch", "F", "functional", "relu"):
        return _torch("clamp", node.args[0], min=ast.Constant(0))
    if _plain_call(node, ("relu",), 0) and isinstance(node.func, ast.Attribute):
        return _torch("clamp", node.func.value, min=ast.Constant(0))
    return None


def _relu_as_mask(node: ast.AST) -> ast.AST | None:
    clamp = _clamped(node)
    relu = _relu_as_clamp(node)
    value = clamp if clamp is not None else relu.args[0] if relu is not None else None
    if value is None:
        return None
    return ast.BinOp(value, ast.Mult(), ast.Compare(copy.deepcopy(value), [ast.Gt()], [ast.Constant(0)]))


def _clamped(node: ast.AST) -> ast.expr | None:
    """``x`` of ``torch.clamp(x, min=0)``, ``x.clamp(min=0)`` or ``x.clamp_min(0)``."""
    if not isinstance(node, ast.Call) or _name(node) not in ("clamp", "clamp_min"):
        return None
    keywords = {k.arg: k.value for k in node.keywords}
    on_tensor = isinstance(node.func, ast.Attribute) and _name(node.func.value) != "torch"
    args = ([node.func.value] if on_tensor else []) + list(node.args)
    if _name(node) == "clamp_min" and len(args) == 2 and not keywords and _is_zero(args[1]):
        return args[0]
    if _name(node) == "clamp" and len(args) == 1 and set(keywords) == {"min"} and _is_zero(keywords["min"]):
        return args[0]
    return None


def _clamp_as_relu(node: ast.AST) -> ast.AST | None:
    value = _clamped(node)
    return _torch("relu", value) if value is not None else None


def _index_select(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) \
            and isinstance(node.slice, (ast.Name, ast.Attribute, ast.Call)):
        return _call("_rw_take", node.value, node.slice)
    return None


def _indexing(node: ast.AST) -> ast.AST | None:
    if isinstance(node, ast.Call) and _name(node) == "index_select" and not node.keywords:
        on_tensor = isinstance(node.func, ast.Attribute) and _name(node.func.value) != "torch"
        args = ([node.func.value] if on_tensor else []) + list(node.args)
        if len(args) == 3 and _is_zero(args[1]):
            return ast.Subscript(args[0], args[2], ast.Load())
    if isinstance(node, ast.Call) and _name(node) == "embedding" and len(node.args) == 2 and not node.keywords:
        return ast.Subscript(node.args[1], node.args[0], ast.Load())
    return None


def _sum_of_one(node: ast.AST) -> ast.AST | None:
    if _plain_call(node, ("sum",), 0) and isinstance(node.func, ast.Attribute) and _name(node.func.value) != "torch":
        return _call("_rw_sum", node.func.value)
    return None


def _dim_by_position(node: ast.AST) -> ast.AST | None:
    if not isinstance(node, ast.Call) or _name(node) not in DIM_FIRST or len(node.keywords) != 1 \
            or node.keywords[0].arg != "dim":
        return None
    on_tensor = isinstance(node.func, ast.Attribute) and _name(node.func.value) not in ("torch", "F", "functional")
    if len(node.args) != (0 if on_tensor else 1):
        return None
    return ast.Call(node.func, [*node.args, node.keywords[0].value], [])


def _dim_by_keyword(node: ast.AST) -> ast.AST | None:
    if not isinstance(node, ast.Call) or _name(node) not in DIM_FIRST or node.keywords:
        return None
    on_tensor = isinstance(node.func, ast.Attribute) and _name(node.func.value) not in ("torch", "F", "functional")
    if len(node.args) != (1 if on_tensor else 2) or not isinstance(node.args[-1], (ast.Constant, ast.UnaryOp)):
        return None
    return ast.Call(node.func, node.args[:-1], [ast.keyword("dim", node.args[-1])])


REWRITES: dict[str, tuple[str, Callable[[ast.AST], ast.AST | None], tuple[str, ...]]] = {
    "matmul-call": ("`a @ b` written `torch.matmul(a, b)`", _matmul_call, ("matmul",)),
    "matmul-operator": ("`torch.matmul(a, b)` and `a.mm(b)` written `a @ b`", _matmul_operator, ("matmul", "mm")),
    "einsum-as-matmul": ("a matrix product `einsum('ij,jk->ik', a, b)` written `a @ b`", _einsum_as_matmul,
                         ("einsum", "matmul")),
    "matmul-as-einsum": ("`a @ b` of matrices written `torch.einsum('...ij,...jk->...ik', a, b)`", _matmul_as_einsum,
                         ("einsum", "matmul")),
    "transpose": ("`x.T` of a matrix written `x.transpose(0, 1)`, `x.t()` written `x.T`", _transpose,
                  ("T", "t", "transpose")),
    "relu-as-clamp": ("`relu(x)` written `torch.clamp(x, min=0)`", _relu_as_clamp, ("relu", "clamp")),
    "relu-as-mask": ("`relu(x)` or `clamp(x, min=0)` written `x * (x > 0)`", _relu_as_mask,
                     ("relu", "clamp", "clamp_min", "gt", "mul")),
    "clamp-as-relu": ("`clamp(x, min=0)` written `torch.relu(x)`", _clamp_as_relu, ("relu", "clamp", "clamp_min")),
    "index-select": ("indexing by an integer tensor `W[ids]` written with `index_select`", _index_select,
                     ("index_select", "getitem")),
    "indexing": ("`index_select(W, 0, ids)` and `F.embedding(ids, W)` written `W[ids]`", _indexing,
                 ("index_select", "embedding", "getitem")),
    "sum-of-one": ("`.sum()` of a one-element tensor (a loss of one sample) left out", _sum_of_one, ("sum",)),
    "dim-by-position": ("`x.sum(dim=1)` written `x.sum(1)`", _dim_by_position, ("dim",)),
    "dim-by-keyword": ("`x.sum(1)` written `x.sum(dim=1)`", _dim_by_keyword, ("dim",)),
}


def _skipped(node: ast.AST, owners: dict[int, str]) -> bool:
    owner = owners.get(id(node), "")
    return owner == "__main__" or is_main_guard(node) or owner.split(".")[-1] in ("plot", "make_data")


def _with_helpers(tree: ast.Module, names: set[str], tail: list[ast.stmt] = ()) -> ast.Module:
    """The module with the helper functions it now calls, after its docstring and ``__future__`` imports."""
    body = list(tree.body)
    at = 0
    while at < len(body) and (isinstance(body[at], ast.ImportFrom) and body[at].module == "__future__"
                              or at == 0 and isinstance(body[at], ast.Expr) and isinstance(body[at].value, ast.Constant)):
        at += 1
    helpers = [stmt for name in HELPERS if name in names for stmt in ast.parse(HELPERS[name]).body]
    tree.body = body[:at] + helpers + body[at:] + list(tail)
    return tree


def _float64(tree: ast.Module) -> tuple[ast.Module, int]:
    """Every public top-level function wrapped to compute in float64."""
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
             and n.name not in ("plot", "make_data", "main")]
    tail = [ast.parse(f"{name} = _rw_in_float64({name})").body[0] for name in names]
    return _with_helpers(tree, {"_rw_in_float64"} if names else set(), tail), len(names)


def _apply(tree: ast.Module, change: Callable[[ast.AST], ast.AST | None]) -> tuple[ast.Module, int]:
    owners = enclosing_functions(tree)
    rewriter = _Rewriter(lambda node: None if _skipped(node, owners) else change(node))
    tree = rewriter.visit(tree)
    return _with_helpers(tree, rewriter.helpers), rewriter.sites


def generate(question: str, source: str) -> list[Rewrite]:
    """Every rewrite that applies somewhere in one question file, in a stable order."""
    original = ast.unparse(ast.parse(source))
    found = []
    candidates = {name: (text, lambda tree, c=change: _apply(tree, c), touches)
                  for name, (text, change, touches) in REWRITES.items()}
    candidates["float64"] = ("every public function computes in float64 (its float32 tensors cast, its results cast "
                             "back)", _float64, ("float64", "double"))
    for name, (description, apply, touches) in candidates.items():
        tree, sites = apply(ast.parse(source))
        if not sites:
            continue
        ast.fix_missing_locations(tree)
        rewritten = ast.unparse(tree)
        if rewritten == original:
            continue
        diff = "".join(difflib.unified_diff(original.splitlines(True), rewritten.splitlines(True),
                                            "reference", "rewritten", n=1))
        found.append(Rewrite(question, name, f"{description} ({sites} place{'s' if sites > 1 else ''})",
                             rewritten, diff, touches))
    return found
