import torch
import torch.nn as nn
import pandas as pd
import matplotlib
matplotlib.use('Agg')
from matplotlib import pyplot as plt

df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)

U, S, V = torch.svd(data)
S[2:] = 0
err_svd = torch.sum((data - U @ torch.diag(S) @ V.t()) ** 2)


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01):
    U = torch.rand(A.shape[0], rank, dtype=A.dtype)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype)
    U.requires_grad = True; V.requires_grad = True
    criterion = nn.MSELoss(reduction='sum')
    for epoch in range(num_epochs):
        loss = criterion(torch.mm(U, V.t()), A)
        loss.backward()
        with torch.no_grad():
            V.data = V.data - lr * V.grad.data
            U.data = U.data - lr * U.grad.data
            V.grad.data.zero_()
            U.grad.data.zero_()
    return U.detach(), V.detach()


Uh, Vh = gd_factorise_ad(data, 2)
err_gd = torch.sum((data - Uh @ Vh.t()) ** 2)
print('SVD loss: ', err_svd.item())
print('GD loss: ', err_gd.item())

plt.figure()
plt.scatter(Uh[:, 0], Uh[:, 1], label='GD')
plt.scatter(U[:, 0] * S[0], U[:, 1] * S[1], label='PCA')
plt.legend()
plt.savefig('question1_pca.png')
