import torch
import torch.nn.functional as F
import pandas as pd


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    U = torch.rand(A.shape[0], rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype, requires_grad=True)
    for _ in range(num_epochs):
        loss = F.mse_loss(U @ V.T, A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
            U.grad.zero_()
            V.grad.zero_()
    return U.detach(), V.detach()


def main():
    df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
    data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
    data = data - data.mean(dim=0)
    U, V = gd_factorise_ad(data, 2)
    print("reconstruction loss:", F.mse_loss(U @ V.T, data, reduction='sum').item())


if __name__ == '__main__':
    main()
