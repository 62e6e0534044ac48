"""Each mutation operator models one student mistake, and reaches only code a check can run."""
from __future__ import annotations

import ast
import textwrap

import pytest

from grader.authoring.mutants import generate

CODE = textwrap.dedent('''
    import torch
    lr = 0.03

    def f(a, b, w, grad, steps):
        c = torch.einsum("ijk,ik->ij", a, b)
        d = c @ w.T
        e = d.sum(dim=1)
        grad.zero_()
        for _ in range(steps):
            e = e + 2 * (e > 0)
        return e.mean() - lr * e.sum()

    def plot(x):
        return x + 1

    if __name__ == "__main__":
        print(f(1, 2, 3, 4, 5) + 1)
''')


@pytest.fixture(scope="module")
def mutants():
    return generate("q", CODE)


@pytest.mark.parametrize("operator, description", [
    ("einsum-subscripts", "einsum output subscripts 'ij' -> 'ji'"),
    ("einsum-subscripts", "einsum input subscripts 'ijk,ik' -> 'ikj,ik'"),
    ("transpose", "matrix no longer transposed (x.T -> x)"),
    ("wrong-dim", "reduction over dim 2 instead of 1"),
    ("dropped-factor-2", "factor of 2 dropped"),
    ("plus-minus", "+ replaced by -"),
    ("comparison", "comparison > -> >= (e.g. relu' wrong)"),
    ("mean-for-sum", "mean() replaced by sum()"),
    ("missing-zero_", "gradient reset (.zero_()) removed"),
    ("off-by-one", "loop runs one step fewer (range(n) -> range(n - 1))"),
    ("detach", "returned tensor detached from the graph"),
    ("learning-rate", "learning rate 0.03 -> 0.3"),
    ("learning-rate", "learning rate 10x too large"),
])
def test_operator_applies(mutants, operator, description):
    found = [m for m in mutants if m.operator == operator and m.description == description]
    assert found, [(m.operator, m.description) for m in mutants]
    mutant = found[0]
    compile(mutant.source, "mutant", "exec")
    assert mutant.diff.startswith("--- reference") and "+" in mutant.diff


def test_unreachable_code_is_not_mutated(mutants):
    assert all(m.function not in ("plot", "__main__") for m in mutants)
    assert all("print(f(1, 2, 3, 4, 5) + 1)" in m.source for m in mutants)


def test_every_mutant_differs_from_the_reference(mutants):
    assert len({m.source for m in mutants}) == len(mutants)


MODEL = textwrap.dedent('''
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Model(nn.Module):
        def __init__(self, v, d):
            super().__init__()
            self.E = nn.Parameter(torch.randn(v, d))
            self.W = nn.Parameter(torch.empty(d, 2))
            nn.init.xavier_uniform_(self.W)
            self.drop = nn.Dropout(0.1)

        def forward(self, ids):
            h = self.E[ids].reshape(ids.shape[0], -1)
            h = F.dropout(h, 0.2)
            return self.drop(h).view(-1, 2, 3)
''')


@pytest.mark.parametrize("operator, description, changed", [
    ("dropped-call", "initialisation nn.init.xavier_uniform_(...) left out", "None"),
    ("dropped-call", "nn.Dropout(...) replaced by nn.Identity() (no dropout)", "self.drop = torch.nn.Identity()"),
    ("dropped-call", "dropout call left out", "h = h"),
    ("swapped-init", "initialisation randn replaced by rand", "nn.Parameter(torch.rand(v, d))"),
    ("swapped-init", "initialisation xavier_uniform_ replaced by kaiming_uniform_", "nn.init.kaiming_uniform_(self.W)"),
    ("reordered-view", "reshape sizes reordered (the last two swapped: a view is not a transpose)",
     "reshape(-1, ids.shape[0])"),
    ("reordered-view", "view sizes reordered (the last two swapped: a view is not a transpose)", "view(-1, 3, 2)"),
])
def test_model_operators(operator, description, changed):
    found = [m for m in generate("q", MODEL) if m.operator == operator and m.description == description]
    assert len(found) == 1, [(m.operator, m.description) for m in generate("q", MODEL)]
    compile(found[0].source, "mutant", "exec")
    assert changed in found[0].source and changed not in ast.unparse(ast.parse(MODEL))
