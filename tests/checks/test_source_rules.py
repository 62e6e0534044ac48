"""Source rules are read from the AST, with import aliases resolved."""
from __future__ import annotations

import ast

from grader.checks.source_names import aliases_of
from grader.checks.source_rules import Pattern, find


def hits(code: str, **pattern) -> list[int]:
    tree = ast.parse(code)
    return [h.line for h in find(Pattern(**pattern), tree, aliases_of(tree))]


def test_call_through_aliases():
    assert hits("import torch\ntorch.einsum('i->i', x)", call="torch.einsum") == [2]
    assert hits("import torch as th\nth.einsum('i->i', x)", call="torch.einsum") == [2]
    assert hits("from torch import einsum\neinsum('i->i', x)", call="torch.einsum") == [2]
    assert hits("import torch\n# torch.einsum in a comment\nx = 'torch.einsum'", call="torch.einsum") == []


def test_method_with_max_args():
    code = "loss.backward()\nmodel.backward(loss)\nloss.backward(retain_graph=True)"
    assert hits(code, method="backward", max_args=0) == [1, 3]
    assert hits(code, method="backward") == [1, 2, 3]


def test_module_use_and_import():
    assert hits("import torch\ng = torch.autograd.grad(l, w)", module="torch.autograd") == [2]
    assert hits("from torch.autograd import grad\n", module="torch.autograd") == [1]
    assert hits("import torch.autograd as ag\nag.grad(l, w)", module="torch.autograd") == [1, 2]
    assert hits("import torch\ntorch.autograd_like = 1", module="torch.autograd") == []


def test_a_module_use_is_one_hit_however_deep_the_attribute():
    code = "import torch\nj = torch.autograd.functional.jacobian(f, x)\nfrom torch import autograd\nautograd.grad(l, w)"
    tree = ast.parse(code)
    found = find(Pattern(module="torch.autograd"), tree, aliases_of(tree))
    assert [(h.line, h.text) for h in found] == [(2, "torch.autograd"), (4, "torch.autograd")]


def test_keyword_and_assignment():
    assert hits("w = torch.ones(2, requires_grad=True)", keyword="requires_grad=True") == [1]
    assert hits("w = torch.ones(2, requires_grad=False)", keyword="requires_grad=True") == []
    assert hits("w.requires_grad = True", assign="requires_grad=True") == [1]


BLOCKS = """
import torch

def train(x):
    try:
        import numpy as n1
    except ValueError:
        import math as m1
    else:
        e1 = torch.exp
    finally:
        f1 = torch.flip
    match x:
        case 1:
            import os as o1
    with open("f") as handle:
        w1 = torch.where
    for i in range(2):
        l1 = torch.log
    else:
        s1 = torch.sin
    while x:
        c1 = torch.cos
    if x:
        d1 = lambda: torch.abs
    def inner():
        hidden = torch.einsum
    class Inner:
        hidden_too = torch.einsum
"""


def test_a_function_s_names_are_bound_in_every_block_of_its_body_and_not_in_nested_definitions():
    tree = ast.parse(BLOCKS)
    names = aliases_of(tree)
    inside = names.inside(tree.body[1])
    found = {name: alias.target for name, alias in inside.aliases.items() if name not in names.aliases}
    assert found == {"n1": "numpy", "m1": "math", "e1": "torch.exp", "f1": "torch.flip", "o1": "os",
                     "w1": "torch.where", "l1": "torch.log", "s1": "torch.sin", "c1": "torch.cos"}
    assert names.inside(tree.body[1]) is inside  # made once per function, for every check that walks it
