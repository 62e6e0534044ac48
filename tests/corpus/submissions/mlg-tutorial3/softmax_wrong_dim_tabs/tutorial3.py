import torch
import torch.nn.functional as F
from torch import nn, optim
import numpy as np

# Tutorial 3

def mse_grad_autograd(X, w, y):
	w = w.detach().requires_grad_()
	loss = ((X @ w - y) ** 2).sum()
	loss.backward()
	return w.grad

def mse_grad_analytic(X, w, y):
	return 2 * (X.t() @ X @ w - X.t() @ y)

# cross entropy written out with log_softmax (same as nn.CrossEntropyLoss)
def ce_loss(w, x, y):
	scores = (w @ x).unsqueeze(0)         # 1 x 2, a batch of one
	logp = F.log_softmax(scores, dim=0)
	return -logp[0, y]

def logistic_loss(w, x):
	s = w @ x
	return torch.log(1 + torch.exp(s[1] - s[0]))

def sgd_demo(steps=20, lr=0.1, seed=0):
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
		losses.append(loss)
	return losses
