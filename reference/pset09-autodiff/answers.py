"""The answer key of pset09-autodiff, every number computed by running the reference.

    python answers.py [--seeds 50] [--plot momentum.png]    # prints the key as JSON

Problem 1 is deterministic. Problem 2 depends on the DataLoader's shuffle, so each answer is
reported over `--seeds` shuffle seeds: the median and the spread (min, max), from which the
quiz's tolerances are derived. The 80:10:10 split repeats what
sklearn.model_selection.train_test_split(..., random_state=42) does (tests/ compares the two).
"""
from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

import question1
from question2 import train_linear

HERE = Path(__file__).resolve().parent
MOMENTA = (0.0, 0.5, 0.9, 1.0)  # the right choice of problem 2.5


HANDOUT = {"x11": 2.0, "x13": 1.376, "y13": 2.123, "A": [[1.0, 2.0], [3.0, 4.0]], "x15": 0.173, "lr21": 0.01,
           "lr23": 0.001}


def problem1(inputs: dict = HANDOUT) -> dict[str, float]:
    """1.1, 1.3 (df1/dx, df2/dy), 1.4 (element [0, 1]), 1.5 (f', f'') at the given points."""
    grads = question1.vector_function_gradients(inputs["x13"], inputs["y13"])
    first, second = question1.sigmoid_first_second(inputs["x15"])
    A = torch.tensor(inputs["A"])
    return {"1.1": float(question1.lorentzian_derivative(inputs["x11"])), "1.3 df1/dx": float(grads[0, 0]),
            "1.3 df2/dy": float(grads[1, 1]), "1.4": float(question1.trace_square_grad(A)[0, 1]),
            "1.5 first": float(first), "1.5 second": float(second)}


def split_indices(n: int, test_size: float, random_state: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices as train_test_split(shuffle=True, random_state=...) chooses them."""
    n_test = int(np.ceil(test_size * n))
    n_train = int(np.floor((1 - test_size) * n))
    permutation = np.random.RandomState(random_state).permutation(n)
    return permutation[n_test:n_test + n_train], permutation[:n_test]


def split_80_10_10(X: torch.Tensor, y: torch.Tensor):
    """2.3: 80:20, then the 20% into validation and test halves, random_state=42 both times."""
    train, rest = split_indices(len(X), 0.2)
    val, test = split_indices(len(rest), 0.5)
    rest_X, rest_y = X[rest], y[rest]
    return (X[train], y[train]), (rest_X[val], rest_y[val]), (rest_X[test], rest_y[test])


def train_with_history(X, y, val, epochs=150, lr=0.001, batch_size=32):
    """2.3/2.4: SGD as in 2.1, with full-set train and validation MSE and the parameters after each epoch."""
    parameters = torch.zeros(2, requires_grad=True)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    mse = torch.nn.MSELoss()
    train_loss, val_loss, history = [], [], []
    for _ in range(epochs):
        for inputs, targets in loader:
            parameters.grad = None
            mse(parameters[0] * inputs + parameters[1], targets).backward()
            with torch.no_grad():
                parameters -= lr * parameters.grad
        with torch.no_grad():
            train_loss.append(float(mse(parameters[0] * X + parameters[1], y)))
            val_loss.append(float(mse(parameters[0] * val[0] + parameters[1], val[1])))
            history.append(parameters.detach().clone())
    return train_loss, val_loss, history


def problem2(X, y, seed: int, inputs: dict = HANDOUT) -> dict[str, float]:
    """2.1, 2.3 and 2.4 for one shuffle seed."""
    torch.manual_seed(seed)
    slope, bias, _ = train_linear(X, y, lr=inputs["lr21"])
    (Xtr, ytr), val, (Xte, yte) = split_80_10_10(X, y)
    torch.manual_seed(seed)
    train_loss, val_loss, history = train_with_history(Xtr, ytr, val, lr=inputs["lr23"])
    best = int(np.argmin(val_loss))

    def test_mse(p):
        return float(torch.mean((p[0] * Xte + p[1] - yte) ** 2))

    return {"2.1 slope": slope, "2.1 bias": bias, "2.3 train argmin": int(np.argmin(train_loss)),
            "2.3 val argmin": best, "2.4 test mse final": test_mse(history[-1]), "2.4 test mse best": test_mse(history[best])}


def momentum_curves(X, y, seed: int = 0, momenta=MOMENTA) -> dict[float, list[float]]:
    """2.5: the per-batch losses of 50 epochs at lr 1e-3 for each momentum of the right answer."""
    curves = {}
    for mu in momenta:
        torch.manual_seed(seed)
        curves[mu] = train_linear(X, y, lr=0.001, epochs=50, momentum=mu)[2]
    return curves


def answer_key(seeds: int = 50, inputs: dict = HANDOUT) -> dict:
    """Problem 1's answers, and problem 2's median and spread over ``seeds`` shuffles."""
    X, y = torch.load(HERE / "X.pt"), torch.load(HERE / "y.pt")
    runs = [problem2(X, y, seed, inputs) for seed in range(seeds)]
    spread = {name: {"median": statistics.median(r[name] for r in runs), "min": min(r[name] for r in runs),
                     "max": max(r[name] for r in runs)} for name in runs[0]}
    return {"problem1": problem1(inputs), "problem2": spread, "seeds": seeds, "2.5 momenta": list(MOMENTA)}


def plot_momentum(path, X, y, momenta=MOMENTA) -> None:
    """The figure of problem 2.5: one loss curve per momentum, purple to light green (viridis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(momenta)))
    for color, (_, losses) in zip(colors, momentum_curves(X, y, momenta=momenta).items()):
        ax.plot(losses, color=color)
    ax.set_yscale("log")
    ax.set_xlabel("parameter update")
    ax.set_ylabel("batch MSE")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--plot", type=Path, help="also write the figure of problem 2.5 (PNG)")
    args = parser.parse_args()
    print(json.dumps(answer_key(args.seeds), indent=2))
    if args.plot:
        plot_momentum(args.plot, torch.load(HERE / "X.pt"), torch.load(HERE / "y.pt"))
