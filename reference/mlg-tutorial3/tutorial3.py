"""Reference solution, mlg-tutorial3: gradients with autograd and by hand, cross entropy, SGD."""
import math

import torch
from torch import nn, optim


def mse_grad_autograd(X, w, y):
    """The gradient of L = ||X w - y||^2 with respect to w, computed by autograd."""
    w = w.detach().clone().requires_grad_(True)
    loss = torch.norm(X @ w - y) ** 2
    loss.backward()
    return w.grad


def mse_grad_analytic(X, w, y):
    """The same gradient written out: 2 (X^T X w - X^T y)."""
    return 2 * (X.T @ (X @ w) - X.T @ y)


def ce_loss(w, x, y):
    """Cross entropy of the scores w @ x (one row of w per class) for the label y, summed."""
    ce = nn.CrossEntropyLoss(reduction="sum")
    return ce(w @ x, y)


def logistic_loss(w, x):
    """log(1 + exp(s1 - s0)) with s = w @ x: the loss of label 0 written by hand."""
    s = w @ x
    return math.log(1 + math.exp(float(s[1] - s[0])))


def sgd_demo(steps=20, lr=0.1, seed=0):
    """The tutorial's SGD loop on fake data; returns the loss of every step.

    The fake data is learnable: class 1's points are class 0's shifted by 1 in every coordinate.
    """
    torch.manual_seed(seed)
    ce = nn.CrossEntropyLoss(reduction="sum")
    w = nn.Linear(3, 2)
    opt = optim.SGD(w.parameters(), lr=lr)
    losses = []
    for i in range(steps):
        opt.zero_grad()
        y_i = torch.tensor(i % 2)
        x_i = torch.rand(3) + y_i
        loss = ce(w(x_i), y_i)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
