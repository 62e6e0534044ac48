"""Training loops the grader runs on a student's model inside the child.

A driver is trusted grader code: it feeds the student's object seeded data and records what
the rubric's checks need (a loss curve). It never sees expected values.
"""
from __future__ import annotations

import math

import torch

from grader.course import iris, transfer
from grader.course.retry import in_students_dtype


def sgd_regression(model, n: int = 500, d: int = 64, iterations: int = 2000, record_every: int = 100,
                   seed: int = 0, noise: float = 0.1) -> list[float]:
    """Train with one sample per step (drawn with replacement); return the recorded losses.

    The data set matches the handout's: Gaussian inputs scaled by 1/d, a noisy linear target.
    Each recorded point is the mean loss of the ``record_every`` steps before it.
    """
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + noise * torch.randn(n, 1, generator=generator)
    losses, window = [], []
    for _ in range(iterations):
        i = int(torch.randint(0, n, (1,), generator=generator))
        loss = model.forward(X[i : i + 1], Y[i : i + 1])
        model.backward(loss)
        model.sgd_step()
        window.append(float(loss.detach().sum()) if isinstance(loss, torch.Tensor) else float(loss))
        if len(window) == record_every:
            losses.append(math.fsum(window) / len(window))
            window = []
    return losses


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def seeded_losses(function, seed: int = 0, **kwargs) -> list[float]:
    """Call a training function that takes its own ``seed`` (e.g. ``sgd_demo(steps, lr, seed)``); its losses."""
    return _floats(function(seed=seed % 2**31, **kwargs))


def noisy_line(n: int = 1000, slope: float = 2.0, bias: float = -1.0, noise: float = 0.5,
               data_seed: int = 2024) -> tuple[torch.Tensor, torch.Tensor]:
    """X uniform in [-2, 2] (n x 1) and y = slope X + bias + Gaussian noise (n x 1), from ``data_seed``."""
    generator = torch.Generator().manual_seed(int(data_seed))
    X = torch.rand(int(n), 1, generator=generator) * 4 - 2
    y = slope * X + bias + noise * torch.randn(int(n), 1, generator=generator)
    return X, y


def _fit(function, seed, n, slope, bias, noise, data_seed, kwargs):
    X, y = noisy_line(n, slope, bias, noise, data_seed)
    if "batch_size" in kwargs:
        kwargs["batch_size"] = int(kwargs["batch_size"])
    if "epochs" in kwargs:
        kwargs["epochs"] = int(kwargs["epochs"])
    return in_students_dtype(lambda dtype: function(X.to(dtype), y.to(dtype), **kwargs), X.dtype, function, seed)


def linear_fit(function, seed: int = 0, n: int = 1000, slope: float = 2.0, bias: float = -1.0, noise: float = 0.5,
               data_seed: int = 2024, **kwargs) -> list[float]:
    """``function(X, y, **kwargs)`` on the noisy line; the slope and bias it returns first."""
    fitted = _fit(function, seed, n, slope, bias, noise, data_seed, kwargs)
    return _floats(fitted[:2])


def linear_fit_losses(function, seed: int = 0, n: int = 1000, slope: float = 2.0, bias: float = -1.0,
                      noise: float = 0.5, data_seed: int = 2024, **kwargs) -> list[float]:
    """``function(X, y, **kwargs)`` on the noisy line; the per-batch losses it returns third."""
    return _floats(_fit(function, seed, n, slope, bias, noise, data_seed, kwargs)[2])


DRIVERS = {"sgd_regression": sgd_regression, "seeded_losses": seeded_losses, "linear_fit": linear_fit,
           "linear_fit_losses": linear_fit_losses, "iris_factorisation_loss": iris.factorisation_loss,
           "iris_factorisation_angle": iris.factorisation_angle, "iris_mlp_shapes": iris.mlp_shapes,
           "iris_mlp_accuracy": iris.mlp_accuracy, "pretrained_similarity": transfer.pretrained_similarity,
           "logged_losses": transfer.logged_losses, "training_epochs": transfer.training_epochs}
