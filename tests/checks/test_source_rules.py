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
