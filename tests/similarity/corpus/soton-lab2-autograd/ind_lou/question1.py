import torch
import pandas as pd
import matplotlib.pyplot as plt


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    m = A.shape[0]
    n = A.shape[1]
    U = torch.rand(m, rank, dtype=torch.float64, requires_grad=True)
    V = torch.rand(n, rank, dtype=torch.float64, requires_grad=True)
    optimiser_free = True  # plain GD, no torch.optim
    for i in range(num_epochs):
        diff = A - U @ V.T
        loss = torch.nn.functional.mse_loss(U @ V.T, A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
        U.grad.zero_()
        V.grad.zero_()
    return U.detach(), V.detach()


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)

Uhat, Vhat = gd_factorise_ad(data, 2)
print('GD reconstruction loss', torch.nn.functional.mse_loss(Uhat @ Vhat.T, data, reduction='sum'))

U, S, Vt = torch.linalg.svd(data)
k = 2
Ak = U[:, :k] @ torch.diag(S[:k]) @ Vt[:k, :]
print('SVD reconstruction loss', torch.nn.functional.mse_loss(Ak, data, reduction='sum'))

pcs = data @ Vt[:2].T
plt.subplot(1, 2, 1)
plt.scatter(pcs[:, 0], pcs[:, 1], c='b', s=5)
plt.title('PCA')
plt.subplot(1, 2, 2)
plt.scatter(Uhat[:, 0], Uhat[:, 1], c='r', s=5)
plt.title('GD')
plt.savefig('question1_pca.png')
