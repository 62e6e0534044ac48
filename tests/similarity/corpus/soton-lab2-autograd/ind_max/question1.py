"""Lab 2 Exercise, part 1: matrix factorisation by gradient descent, gradients from autograd.

Run it as a script (python question1.py); `grade --local` imports it the same way, with the iris
data served offline. You may hand in one lab2.py with both parts instead.
"""
from typing import Tuple

import pandas as pd
import torch


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    """1.1: U (m x rank) and V (n x rank), started from uniform random values, that minimise
    ||A - U V^T||_F^2 (torch.nn.functional.mse_loss with reduction='sum'); gradients from
    autograd, one update of U and V per epoch."""
    U = torch.rand(A.shape[0], rank, dtype=A.dtype)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype)
    for epoch in range(num_epochs):
        U.requires_grad_(True)
        V.requires_grad_(True)
        e = torch.nn.functional.mse_loss(U @ V.T, A, reduction='sum')
        gU, gV = torch.autograd.grad(e, [U, V])
        U = (U - lr * gU).detach()
        V = (V - lr * gV).detach()
    return U, V


df = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)

# 1.2: factorise `data` at rank 2 with the default settings; compare the loss with a rank-2 truncated SVD.
U, V = gd_factorise_ad(data, 2)
print(torch.nn.functional.mse_loss(U @ V.T, data, reduction='sum'))
u, s, v = torch.svd_lowrank(data, q=2)
print(torch.nn.functional.mse_loss(u @ torch.diag(s) @ v.T, data, reduction='sum'))
# 1.3: scatter-plot the data projected on the first two principal axes, and the rows of U.
import matplotlib.pyplot as plt
plt.scatter(u[:, 0], u[:, 1]); plt.scatter(U[:, 0], U[:, 1]); plt.show()
