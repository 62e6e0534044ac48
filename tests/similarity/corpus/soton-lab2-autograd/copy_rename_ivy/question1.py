import torch
import pandas as pd
from torch.nn.functional import mse_loss

torch.manual_seed(42)


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    # low rank approximation, A is about P Q^T
    n_r, n_c = A.shape
    P = torch.rand((n_r, rank), dtype=A.dtype).requires_grad_()
    Q = torch.rand((n_c, rank), dtype=A.dtype).requires_grad_()
    history = []
    for _ in range(num_epochs):
        estimate = torch.matmul(P, Q.T)
        err = mse_loss(estimate, A, reduction="sum")
        err.backward()
        history.append(err.item())
        with torch.no_grad():
            P.sub_(lr * P.grad)
            Q.sub_(lr * Q.grad)
        P.grad = None
        Q.grad = None
    return P.detach(), Q.detach()


def truncated_svd_error(M, r):
    L, sig, R = torch.linalg.svd(M, full_matrices=False)
    M_r = L[:, :r] @ torch.diag(sig[:r]) @ R[:r, :]
    return mse_loss(M_r, M, reduction="sum").item()


frame = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(frame.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)

P_est, Q_est = gd_factorise_ad(data, 2)
result = mse_loss(P_est @ Q_est.T, data, reduction="sum").item()
print(f"GD loss : {result:.4f}")
print(f"SVD loss: {truncated_svd_error(data, 2):.4f}")
