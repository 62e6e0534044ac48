from typing import Tuple
import torch
import pandas as pd
import matplotlib.pyplot as plt


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    U = torch.rand(A.shape[0], rank, requires_grad=True, dtype=A.dtype)
    V = torch.rand(A.shape[1], rank, requires_grad=True, dtype=A.dtype)
    for epoch in range(num_epochs):
        U.grad = None
        V.grad = None
        loss = torch.nn.functional.mse_loss(U @ V.t(), A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U.sub_(lr * U.grad)
            V.sub_(lr * V.grad)
    return U.detach(), V.detach()


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases '
                 + '/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
U, V = gd_factorise_ad(data, 2)
print("loss", torch.nn.functional.mse_loss(U @ V.t(), data, reduction='sum'))
u, s, v = torch.svd(data)
print("svd loss", torch.sum((data - u[:, :2] @ torch.diag(s[:2]) @ v[:, :2].t()) ** 2))
plt.scatter(u[:, 0], u[:, 1])
plt.show()
plt.scatter(U[:, 0], U[:, 1])
plt.show()
