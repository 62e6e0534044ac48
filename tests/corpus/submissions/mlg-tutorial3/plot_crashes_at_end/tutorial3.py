# INFR10086 tutorial 3
import math
import torch
from torch import nn, optim
import matplotlib.pyplot as plt

print("torch version", torch.__version__)


def mse_grad_autograd(X, w, y):
    w = w.clone().detach().requires_grad_(True)
    loss = torch.norm(X @ w - y) ** 2
    loss.backward()
    print("autograd:", w.grad)
    return w.grad


def mse_grad_analytic(X, w, y):
    g = 2 * (X.T @ X @ w - X.T @ y)
    print("analytic:", g)
    return g


def ce_loss(w, x, y):
    ce = nn.CrossEntropyLoss(reduction='sum')
    print("scores", w @ x)
    return ce(w @ x, y)


def logistic_loss(w, x):
    s = w @ x
    print("s", s)
    return math.log(1 + math.exp(s[1] - s[0]))


def sgd_demo(steps=20, lr=0.1, seed=0):
    torch.manual_seed(seed)
    ce = nn.CrossEntropyLoss(reduction='sum')
    w = nn.Linear(3, 2)
    print(list(w.parameters()))
    opt = optim.SGD(w.parameters(), lr=lr)
    losses = []
    for i in range(steps):
        opt.zero_grad()
        y_i = torch.tensor(i % 2)
        x_i = torch.rand(3) + y_i
        loss = ce(w(x_i), y_i)
        print(i, loss)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
w = torch.tensor([3.0, 2.0, 1.0])
y = torch.tensor([2.0, 4.0, 8.0])
print(torch.allclose(mse_grad_autograd(X, w, y), mse_grad_analytic(X, w, y)))
print(ce_loss(torch.tensor([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), torch.tensor([1.0, 2.0, 3.0]), torch.tensor(0)))
print(logistic_loss(torch.tensor([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), torch.tensor([1.0, 2.0, 3.0])))

losses = sgd_demo(steps=200)
plt.plot(losses)
plt.xlabel("step")
plt.ylabel("loss")
plt.savefig("figures/tutorial3_sgd.png")   # my figures folder
plt.show()
