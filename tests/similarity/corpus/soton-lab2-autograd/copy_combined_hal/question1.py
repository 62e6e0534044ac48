import pandas as pd
import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt
from typing import Tuple

IRIS = "https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data"


def reconstruction_error(P, Q, M):
    return F.mse_loss(P @ Q.t(), M, reduction='sum')


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    rows, cols = A.shape
    P = torch.rand(rows, rank, requires_grad=True)
    Q = torch.rand(cols, rank, requires_grad=True)
    best = None
    for it in range(num_epochs):
        if P.grad is not None:
            Q.grad.zero_()
            P.grad.zero_()
        err = reconstruction_error(P, Q, A)
        err.backward()
        with torch.no_grad():
            Q -= lr * Q.grad
            P -= lr * P.grad
        if best is None or err.item() < best:
            best = err.item()
    return P.detach(), Q.detach()


frame = pd.read_csv(IRIS, header=None)
X = torch.tensor(frame.iloc[:, [0, 1, 2, 3]].values)
X = X - X.mean(dim=0)
X = X.float()

left, sing, right = torch.linalg.svd(X)
sing[2:] = 0
approx = left[:, :4] @ torch.diag(sing) @ right
print("SVD:", F.mse_loss(approx, X, reduction='sum').item())

P_hat, Q_hat = gd_factorise_ad(X, 2)
print("GD:", reconstruction_error(P_hat, Q_hat, X).item())

plt.scatter(P_hat[:, 0], P_hat[:, 1], marker="x")
plt.title("rows of U (gradient descent)")
plt.show()
