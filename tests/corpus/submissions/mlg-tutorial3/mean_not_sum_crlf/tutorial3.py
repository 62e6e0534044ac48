"""MLG Tutorial 3: PyTorch. Fill in each function; check your work with `grade --local`."""
import math

import numpy
import torch
from torch import nn, optim


def mse_grad_autograd(X, w, y):
    """The gradient of L = ||X w - y||^2 with respect to w, computed by PyTorch (loss.backward()).

    X: n x d, w: d, y: n (tensors). Return a tensor of shape (d,).
    """
    w = w.detach().clone()
    w.requires_grad = True
    mse = nn.MSELoss(reduction='sum')
    loss = mse(X @ w, y)
    loss.backward()
    print("loss", loss.item(), "grad", w.grad)
    return w.grad


def mse_grad_analytic(X, w, y):
    """The same gradient from the formula 2 (X^T X w - X^T y), without autograd. Return a tensor."""
    n = X.shape[0]
    # mean squared error -> divide by the number of points
    grad = 2 * (X.T @ X @ w - X.T @ y) / n
    print("analytic grad", grad)
    return grad


def ce_loss(w, x, y):
    """nn.CrossEntropyLoss(reduction='sum') of the scores w @ x for the label y.

    w: 2 x 3 (one row of weights per class), x: 3, y: a label tensor, 0 or 1.
    """
    ce = nn.CrossEntropyLoss(reduction='sum')
    loss = ce(w @ x, y)
    print("ce loss", loss)
    return loss


def logistic_loss(w, x):
    """log(1 + exp(s1 - s0)) where s = w @ x: the tutorial's hand-written loss (a number)."""
    s = w @ x
    print("s =", s)
    loss = math.log(1 + math.exp(s[1] - s[0]))
    print("loss =", loss)
    return loss


def sgd_demo(steps=20, lr=0.1, seed=0):
    """The tutorial's SGD loop; return the list of the `steps` losses (as floats).

    Seed torch with `seed`, then create nn.Linear(3, 2), nn.CrossEntropyLoss(reduction='sum')
    and optim.SGD(..., lr=lr). At step i the label is y_i = torch.tensor(i % 2) and the fake
    data point is x_i = torch.rand(3) + y_i (class 1's points are shifted by 1, so there is
    something to learn).
    """
    torch.manual_seed(seed)
    ce = nn.CrossEntropyLoss(reduction='sum')
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
        print("step", i, "loss", loss.item())
        losses.append(loss.item())
    return losses


if __name__ == "__main__":
    X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    w = torch.tensor([3.0, 2.0, 1.0])
    y = torch.tensor([2.0, 4.0, 8.0])
    print(mse_grad_autograd(X, w, y))
    print(mse_grad_analytic(X, w, y))
    print(ce_loss(torch.tensor([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), torch.tensor([1.0, 2.0, 3.0]), torch.tensor(0)))
    print(logistic_loss(numpy.array([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), numpy.array([1.0, 2.0, 3.0])))
    sgd_demo()
