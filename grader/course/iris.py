"""Measurements on the iris data set (shipped in ``grader/course/fixtures/iris.data``), for drivers.

The data is read the way the handouts read it: 150 rows, four features, the species name last.
"""
from __future__ import annotations

import csv
import itertools
import math

import torch

from grader.course import FIXTURES
from grader.course.retry import first_items, in_students_dtype


def iris() -> tuple[torch.Tensor, list[str]]:
    """The features (150 x 4, float64) and the species of every row, in file order."""
    with open(FIXTURES / "iris.data", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row]
    return torch.tensor([[float(v) for v in row[:4]] for row in rows], dtype=torch.float64), [row[4] for row in rows]


def _factorise(function, seed, rank, num_epochs, lr) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(A, U, V)``: the handout's float64 data (in the student's dtype if their code cannot take float64)."""
    features, _ = iris()
    data = features - features.mean(dim=0)
    returned = in_students_dtype(lambda dtype: function(data.to(dtype), int(rank), num_epochs=int(num_epochs), lr=lr),
                                 data.dtype, function, seed)
    U, V = first_items(returned, 2, getattr(function, "__name__", "the function"), "(U, V)")
    return data, torch.as_tensor(U).detach().to(torch.float64), torch.as_tensor(V).detach().to(torch.float64)


def factorisation_loss(function, seed: int = 0, rank: int = 2, num_epochs: int = 1000, lr: float = 0.01) -> float:
    """||A - U V^T||_F^2 of ``function(A, rank, ...)`` on the mean-centred iris data A."""
    data, U, V = _factorise(function, seed, rank, num_epochs, lr)
    return float(((data - U @ V.T) ** 2).sum())


def factorisation_angle(function, seed: int = 0, rank: int = 2, num_epochs: int = 1000, lr: float = 0.01) -> float:
    """The largest principal angle, in degrees, between span(U) and the top ``rank`` principal axes."""
    data, U, _ = _factorise(function, seed, rank, num_epochs, lr)
    ours = torch.linalg.qr(U).Q
    principal = torch.linalg.svd(data, full_matrices=False).U[:, : int(rank)]
    cosines = torch.linalg.svdvals(ours.T @ principal).clamp(-1, 1)
    return math.degrees(math.acos(float(cosines.min())))


def _mlp_parameters(module) -> list[torch.Tensor]:
    if callable(getattr(module, "train_mlp", None)):
        found = module.train_mlp()
    else:
        found = [getattr(module, name) for name in ("W1", "W2", "b1", "b2")]
    return [torch.as_tensor(p).detach().to(torch.float32) for p in found]


def mlp_shapes(module, seed: int = 0) -> list:
    """Shapes of W1 and W2, and the number of values in b1 and b2 (1 for a scalar bias)."""
    W1, W2, b1, b2 = _mlp_parameters(module)
    return [list(W1.shape), list(W2.shape), b1.numel(), b2.numel()]


def mlp_accuracy(module, seed: int = 0) -> float:
    """Accuracy of relu(x W1 + b1) W2 + b2 on all 150 flowers, normalised as the handout does.

    The handout numbers the classes in the order they appear after its shuffle, so the best of
    the 3! ways to match output columns to species is taken.
    """
    W1, W2, b1, b2 = _mlp_parameters(module)
    features, species = iris()
    data = features.to(torch.float32)
    data = (data - data.mean(dim=0)) / data.var(dim=0)
    predicted = (torch.relu(data @ W1 + b1) @ W2 + b2).argmax(dim=1)
    names = sorted(set(species))
    best = 0
    for order in itertools.permutations(range(len(names))):
        labels = torch.tensor([order[names.index(s)] for s in species])
        best = max(best, int((predicted == labels).sum()))
    return best / len(species)
