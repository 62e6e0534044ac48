import torch
from torch import nn
from torch import optim
import numpy
import math

# ---------- section 2 ----------
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
w = torch.tensor([3.0, 2.0, 1.0], requires_grad=True)
y = torch.tensor([2.0, 4.0, 8.0])
loss = torch.norm(X @ w - y) ** 2
loss.backward()
print(w.grad)

mse = nn.MSELoss(reduction='sum')
w.grad = None
loss = mse(X @ w, y)
loss.backward()
print(w.grad)


def mse_grad_autograd(X, w, y):
    w_ = torch.tensor(w.tolist(), requires_grad=True)
    loss = mse(X @ w_, y)
    loss.backward()
    return w_.grad


def mse_grad_analytic(X, w, y):
    return 2 * (X.T @ (X @ w) - X.T @ y)


# ---------- section 3 ----------
ce = nn.CrossEntropyLoss(reduction='sum')


def ce_loss(w, x, y):
    return ce(w @ x, y)


def logistic_loss(w, x):
    s = w @ x
    return math.log(1 + math.exp(s[1] - s[0]))


x_i = torch.tensor([1.0, 2.0, 3.0])
w = torch.tensor([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], requires_grad=True)
print(ce_loss(w, x_i, torch.tensor(1)), ce_loss(w, x_i, torch.tensor(0)))
print(logistic_loss(w.detach().numpy(), x_i.numpy()))


# ---------- section 4 ----------
def sgd_demo(steps=20, lr=0.1, seed=0):
    torch.manual_seed(seed)
    lin = nn.Linear(3, 2)
    opt = optim.SGD(lin.parameters(), lr=lr)
    opt.zero_grad()
    losses = []
    for i in range(steps):
        y_i = torch.tensor(i % 2)
        x_i = torch.rand(3) + y_i
        loss = ce(lin(x_i), y_i)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return losses


print(sgd_demo())
