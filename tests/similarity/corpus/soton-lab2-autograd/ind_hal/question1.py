from typing import Tuple

import pandas as pd
import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    m, n = A.shape
    U = torch.rand(m, rank, requires_grad=True)
    V = torch.rand(n, rank, requires_grad=True)
    for epoch in range(num_epochs):
        if U.grad is not None:
            U.grad.zero_()
            V.grad.zero_()
        loss = F.mse_loss(U @ V.t(), A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
    return U.detach(), V.detach()


df = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
data = data.float()

U, V = gd_factorise_ad(data, 2)
print("GD loss:", F.mse_loss(U @ V.t(), data, reduction='sum').item())

u, s, vt = torch.linalg.svd(data)
s[2:] = 0
recon = u[:, :4] @ torch.diag(s) @ vt
print("SVD loss:", F.mse_loss(recon, data, reduction='sum').item())

plt.scatter(U[:, 0], U[:, 1])
plt.title("U from gradient descent")
plt.show()
