from typing import Tuple
import time
import pandas as pd
import torch
import torch.nn.functional as F
import matplotlib.pyplot as plt

URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data"
VERBOSE = False


def timed(fn):
    def wrapper(*args, **kwargs):
        start = time.time()
        out = fn(*args, **kwargs)
        if VERBOSE:
            print(fn.__name__, time.time() - start)
        return out
    return wrapper


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    n_rows, n_cols = A.size()
    params = [torch.rand(n_rows, rank, dtype=A.dtype, requires_grad=True),
              torch.rand(n_cols, rank, dtype=A.dtype, requires_grad=True)]
    history = []
    for step in range(num_epochs):
        U, V = params
        reconstruction = U.matmul(V.transpose(0, 1))
        loss = F.mse_loss(reconstruction, A, reduction="sum")
        if VERBOSE and step % 50 == 0:
            history.append(loss.item())
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            params = [(p - lr * g).requires_grad_() for p, g in zip(params, grads)]
    U, V = params
    return U.detach(), V.detach()


def load_iris():
    frame = pd.read_csv(URL, header=None)
    X = torch.tensor(frame.iloc[:, [0, 1, 2, 3]].values)
    X = X.clone()
    return X - X.mean(dim=0)


data = load_iris()
U_gd, V_gd = gd_factorise_ad(data, rank=2)
loss_gd = F.mse_loss(U_gd @ V_gd.T, data, reduction="sum")

U_s, S_s, Vt_s = torch.linalg.svd(data, full_matrices=False)
best = U_s[:, :2] * S_s[:2] @ Vt_s[:2, :]
loss_svd = F.mse_loss(best, data, reduction="sum")
print("GD loss:", round(loss_gd.item(), 4))
print("SVD loss:", round(loss_svd.item(), 4))

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].scatter(*(U_s[:, :2] * S_s[:2]).T)
axes[0].set_title("PCA projection")
axes[1].scatter(*U_gd.T)
axes[1].set_title("U (gradient descent)")
fig.tight_layout()
plt.show()
