"""Rewrites of a reference are correct variants: each changes how the code is written, never what it computes."""
from __future__ import annotations

import textwrap

import pytest
import torch

from grader.authoring.rewrites import generate

SOURCE = textwrap.dedent('''
    """A module touching every rewrite."""
    import torch
    import torch.nn.functional as F


    def layer(x, W, b):
        h = F.relu(x @ W + b)
        return torch.clamp(h, min=0).T.t().T @ torch.matmul(h, torch.eye(h.shape[1]))


    def lookup(E, ids, mask):
        rows = E[ids]
        picked = torch.index_select(E, 0, ids.reshape(-1))
        return rows.sum(dim=1), picked.mean(0), F.embedding(ids, E), E[mask]


    def bmm(a, b):
        return torch.einsum("bij,bjk->bik", a, b), torch.einsum("ij,jk->ik", a[0], b[0])


    def loss(pred, y):
        return ((pred - y) ** 2).sum(), torch.softmax(pred, 1)


    def plot(x):
        return x.T
''')


def run(source: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "module", "exec"), namespace)
    g = torch.Generator().manual_seed(0)
    x, W, b = torch.randn(4, 3, generator=g), torch.randn(3, 5, generator=g), torch.randn(5, generator=g)
    E, ids = torch.randn(9, 2, generator=g), torch.randint(0, 9, (4, 3), generator=g)
    mask = torch.rand(9, generator=g) > 0.5
    a, c = torch.randn(2, 3, 4, generator=g), torch.randn(2, 4, 5, generator=g)
    return {"layer": namespace["layer"](x, W, b), "lookup": namespace["lookup"](E, ids, mask),
            "bmm": namespace["bmm"](a, c), "loss": namespace["loss"](torch.randn(1, 1, generator=g), torch.ones(1, 1)),
            "loss3": namespace["loss"](torch.randn(3, 2, generator=g), torch.ones(3, 2))}


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.shape == b.shape and a.dtype == b.dtype and torch.allclose(a, b, atol=1e-6)
    return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))


@pytest.fixture(scope="module")
def rewrites():
    return {r.name: r for r in generate("q", SOURCE)}


def test_every_rewrite_applies_here(rewrites):
    assert set(rewrites) == {"matmul-call", "matmul-operator", "einsum-as-matmul", "matmul-as-einsum", "transpose",
                             "relu-as-clamp", "relu-as-mask", "clamp-as-relu", "index-select", "indexing",
                             "sum-of-one", "dim-by-position", "dim-by-keyword", "float64"}


@pytest.mark.parametrize("name", ["matmul-call", "matmul-operator", "einsum-as-matmul", "matmul-as-einsum",
                                  "transpose", "relu-as-clamp", "relu-as-mask", "clamp-as-relu", "index-select",
                                  "indexing", "dim-by-position", "dim-by-keyword", "float64"])
def test_a_rewrite_computes_what_the_reference_computes(rewrites, name):
    assert same(run(rewrites[name].source), run(SOURCE)), rewrites[name].diff


def test_the_sum_of_one_element_is_left_out_and_only_then(rewrites):
    original, rewritten = run(SOURCE), run(rewrites["sum-of-one"].source)
    assert original["loss"][0].shape == () and rewritten["loss"][0].shape == (1, 1)
    assert torch.equal(rewritten["loss"][0].reshape(()), original["loss"][0])
    assert same(rewritten["loss3"], original["loss3"]) and same(rewritten["layer"], original["layer"])


def test_rewrites_name_what_they_change_and_leave_unreachable_code(rewrites):
    index = rewrites["index-select"]
    assert "_rw_take(E, ids)" in index.source and "E[mask]" not in index.source, "a boolean mask stays an index"
    assert index.description.endswith("(2 places)") and index.diff.startswith("--- reference")
    assert "def plot(x):\n    return x.T" in rewrites["transpose"].source
    assert "torch.relu(h).T" in rewrites["clamp-as-relu"].source
    assert "(x @ W + b) * (x @ W + b > 0)" in rewrites["relu-as-mask"].source
    assert rewrites["einsum-as-matmul"].source.count("torch.einsum") == 0
    assert "plot = _rw_in_float64" not in rewrites["float64"].source


def test_a_module_without_anything_to_rewrite_has_no_rewrites():
    assert generate("q", "import torch\nX = 3\n") == []
