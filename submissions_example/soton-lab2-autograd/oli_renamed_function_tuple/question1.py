import torch
import torch.nn.functional as F
import pandas as pd

df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)


def sgd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    """Returns U, V and the loss of every epoch (for my plot)."""
    U = torch.rand(A.shape[0], rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = F.mse_loss(U @ V.T, A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
        U.grad.zero_()
        V.grad.zero_()
        losses.append(loss.item())
    return U.detach(), V.detach(), losses


U, V, losses = sgd_factorise_ad(data, 2)
print(losses[-1])
