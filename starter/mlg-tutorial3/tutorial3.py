"""MLG Tutorial 3: PyTorch. Fill in each function; check your work with `grade --local`."""
import math

import numpy
import torch
from torch import nn, optim


def mse_grad_autograd(X, w, y):
    """The gradient of L = ||X w - y||^2 with respect to w, computed by PyTorch (loss.backward()).

    X: n x d, w: d, y: n (tensors). Return a tensor of shape (d,).
    """
    raise NotImplementedError


def mse_grad_analytic(X, w, y):
    """The same gradient from the formula 2 (X^T X w - X^T y), without autograd. Return a tensor."""
    raise NotImplementedError


def ce_loss(w, x, y):
    """nn.CrossEntropyLoss(reduction='sum') of the scores w @ x for the label y.

    w: 2 x 3 (one row of weights per class), x: 3, y: a label tensor, 0 or 1.
    """
    raise NotImplementedError


def logistic_loss(w, x):
    """log(1 + exp(s1 - s0)) where s = w @ x: the tutorial's hand-written loss (a number)."""
    raise NotImplementedError


def sgd_demo(steps=20, lr=0.1, seed=0):
    """The tutorial's SGD loop; return the list of the `steps` losses (as floats).

    Seed torch with `seed`, then create nn.Linear(3, 2), nn.CrossEntropyLoss(reduction='sum')
    and optim.SGD(..., lr=lr). At step i the label is y_i = torch.tensor(i % 2) and the fake
    data point is x_i = torch.rand(3) + y_i (class 1's points are shifted by 1, so there is
    something to learn).
    """
    raise NotImplementedError
