"""The token and structure views: what a disguise changes and what it does not."""
from __future__ import annotations

from grader.similarity.scoring import rarity_weights, similarity, weighted
from grader.similarity.structure import structure_print
from grader.similarity.tokens import K, W, normalised_tokens, token_print

ORIGINAL = '''import torch


def forward(x, w1, w2):
    """The forward pass."""
    hidden = torch.relu(x @ w1)
    return hidden @ w2


def loss(pred, target):
    return ((pred - target) ** 2).sum()
'''

DISGUISED = '''import torch
def loss(p, t):   # squared error
    return ((p
             - t) ** 2).sum()

def forward(inp, a, b):
    # two layers
    h = torch.relu(inp @ a)
    return h @ b
'''


def test_names_literals_comments_docstrings_and_layout_do_not_change_the_stream():
    renamed = ORIGINAL.replace("hidden", "h").replace("w1", "first").replace('"""The forward pass."""', "# fwd")
    assert normalised_tokens(renamed)[0] == normalised_tokens(ORIGINAL)[0]
    assert normalised_tokens("x = 1\n")[0] == normalised_tokens("y = 2.5  # c\n")[0]
    words, _ = normalised_tokens(ORIGINAL)
    assert "relu" in words and "hidden" not in words and "V" in words  # names the file binds are abstracted
    assert normalised_tokens("x = a.sum()\n")[0] != normalised_tokens("x = a.mean()\n")[0]  # API names kept


def test_winnowing_keeps_every_long_enough_match():
    run = "\n".join(f"v{i} = torch.relu(v{i - 1} @ w) + {i}" for i in range(1, 12)) + "\n"
    a = token_print("import torch\nprint(1)\n" + run)
    b = token_print("def f(z):\n    return z * 3 - z\n" + run)
    assert a.hashes & b.hashes
    assert len(normalised_tokens(run)[0]) >= K + W - 1
    assert len(a.hashes) < a.tokens  # winnowing keeps a fraction of the runs


def test_structure_does_not_care_about_the_order_of_functions():
    a, b = structure_print(ORIGINAL), structure_print(DISGUISED)
    assert a.bag == b.bag
    assert {u.name for u in a.units} == {"<module>", "forward", "loss"}


def test_handed_out_code_weighs_nothing_and_common_code_little():
    prints = {"s1": {1, 2, 3, 10}, "s2": {1, 2, 3, 20}, "s3": {1, 2, 30}, "s4": {1, 40, 41}, "s5": {1, 50}}
    weights = rarity_weights(prints, ignored={3})
    assert weights[3] == 0.0 and weights[1] == 0.0  # in the starter; in every file
    assert weights[10] == 1.0 and 0.0 < weights[2] < 1.0
    sets = {k: weighted(v, weights) for k, v in prints.items()}
    assert similarity(sets["s1"], sets["s2"], weights) < 0.2


def test_a_small_file_sharing_all_of_its_little_does_not_score_one():
    weights = {i: 1.0 for i in range(100)}
    small, big = weighted({1, 2}, weights), weighted(set(range(50)), weights)
    assert similarity(small, big, weights) < 0.2
    assert similarity(big, weighted(set(range(45)), weights), weights) == 1.0
