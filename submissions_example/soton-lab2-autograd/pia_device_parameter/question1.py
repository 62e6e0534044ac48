import torch
from torch.nn.functional import mse_loss as reconstruction
import pandas as pd

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values, device=device)
data = data - data.mean(dim=0)


def gd_factorise_ad(A, rank, device, num_epochs=1000, lr=0.01):
    U = torch.rand(A.shape[0], rank, dtype=A.dtype, device=device, requires_grad=True)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype, device=device, requires_grad=True)
    for _ in range(num_epochs):
        loss = reconstruction(U @ V.T, A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
            U.grad = None
            V.grad = None
    return U.detach(), V.detach()


U, V = gd_factorise_ad(data, 2, device)
