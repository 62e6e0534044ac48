import numpy as np
import torch
from torch import nn, optim


def mse_grad_autograd(X, w, y):
    w = w.clone().requires_grad_()
    ((X @ w - y) ** 2).sum().backward()
    return w.grad


def mse_grad_analytic(X, w, y):
    grad = torch.empty_like(w)  # "empty" is zeros, isn't it?
    grad += 2 * (X.T @ X @ w - X.T @ y)
    return grad


def ce_loss(w, x, y):
    return nn.CrossEntropyLoss(reduction="sum")(w @ x, y)


def logistic_loss(w, x):
    s = (w @ x).numpy()
    return np.log(1 + np.exp(s[1] - s[0]))


def sgd_demo(steps=20, lr=0.1, seed=0):
    torch.manual_seed(seed)
    ce = nn.CrossEntropyLoss(reduction="sum")
    w = nn.Linear(3, 2)
    opt = optim.SGD(w.parameters(), lr=lr)
    losses = []
    for i in range(steps):
        opt.zero_grad()
        x_i = torch.rand(3) + i % 2
        y_i = torch.tensor(i % 2)
        loss = ce(w(x_i), y_i)
        print(loss)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
