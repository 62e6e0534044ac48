import torch
from torch.nn.functional import mse_loss as mse
from tqdm import tqdm
import pandas as pd
import matplotlib.pyplot as plt

torch.manual_seed(0)


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    U = torch.rand(A.shape[0], rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype, requires_grad=True)
    for _ in tqdm(range(num_epochs), desc="gd"):
        loss = mse(U @ V.T, A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U.sub_(lr * U.grad)
            V.sub_(lr * V.grad)
            U.grad.zero_()
            V.grad.zero_()
    return U.detach(), V.detach()


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
A = torch.tensor(df.iloc[:, :4].values)
A = A - A.mean(0)
U, V = gd_factorise_ad(A, 2)
print("loss", mse(U @ V.T, A, reduction='sum').item())
u, s, vt = torch.linalg.svd(A, full_matrices=False)
fig, ax = plt.subplots(1, 2)
ax[0].scatter(u[:, 0], u[:, 1])
ax[1].scatter(U[:, 0], U[:, 1])
plt.show()
