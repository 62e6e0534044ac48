import torch
import pandas as pd


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    m, n = A.shape
    U = torch.rand(m, rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(n, rank, dtype=A.dtype, requires_grad=True)
    for epoch in range(num_epochs):
        loss = torch.sum((A - U @ V.T) ** 2)   # squared Frobenius norm
        loss.backward()
        # U -= lr * U.grad  -> "a leaf Variable that requires grad is being used in an in-place operation"
        U = (U - lr * U.grad).detach().requires_grad_()
        V = (V - lr * V.grad).detach().requires_grad_()
        if epoch % 100 == 0:
            print(epoch, loss.item())
    return U.detach(), V.detach()


df = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
U, V = gd_factorise_ad(data, 2)
print("final", torch.sum((data - U @ V.T) ** 2).item())
