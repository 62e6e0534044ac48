import torch
import pandas as pd
from torch.nn.functional import mse_loss

torch.manual_seed(0)


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    """Factorise A ~ U V^T using autograd."""
    rows, cols = A.shape
    U = torch.rand((rows, rank), dtype=A.dtype).requires_grad_()
    V = torch.rand((cols, rank), dtype=A.dtype).requires_grad_()
    losses = []
    for _ in range(num_epochs):
        approx = torch.matmul(U, V.T)
        loss = mse_loss(approx, A, reduction="sum")
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            U.sub_(lr * U.grad)
            V.sub_(lr * V.grad)
        U.grad = None
        V.grad = None
    return U.detach(), V.detach()


def svd_loss(A, k):
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    A_k = U[:, :k] @ torch.diag(S[:k]) @ Vh[:k, :]
    return mse_loss(A_k, A, reduction="sum").item()


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)

U_hat, V_hat = gd_factorise_ad(data, 2)
gd = mse_loss(U_hat @ V_hat.T, data, reduction="sum").item()
print(f"gradient descent: {gd:.4f}")
print(f"truncated svd:    {svd_loss(data, 2):.4f}")
