"""Reference solution, soton-lab2-autograd part 1: low-rank factorisation by gradient descent with autograd.

Written as the lab's students write it: a script that downloads the data and prints its answers.
"""
from typing import Tuple

import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn.functional as F


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    """min ||A - U V^T||_F^2 by full-batch gradient descent, gradients from autograd."""
    m, n = A.shape
    U = torch.rand(m, rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(n, rank, dtype=A.dtype, requires_grad=True)
    for _ in range(num_epochs):
        loss = F.mse_loss(U @ V.T, A, reduction="sum")
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
            U.grad.zero_()
            V.grad.zero_()
    return U.detach(), V.detach()


df = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)

U_hat, V_hat = gd_factorise_ad(data, 2)
loss = F.mse_loss(U_hat @ V_hat.T, data, reduction="sum")
U, S, Vt = torch.linalg.svd(data, full_matrices=False)
svd_loss = F.mse_loss(U[:, :2] @ torch.diag(S[:2]) @ Vt[:2], data, reduction="sum")
print(f"1.2 gradient descent loss {loss.item():.4f}, truncated SVD loss {svd_loss.item():.4f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4))
left.scatter(U[:, 0], U[:, 1], s=8)
left.set_title("data on the first two principal axes (SVD)")
right.scatter(U_hat[:, 0], U_hat[:, 1], s=8)
right.set_title("rows of U from gradient descent")
fig.savefig("question1_pca.png")
