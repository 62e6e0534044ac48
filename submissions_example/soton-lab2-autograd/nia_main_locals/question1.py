# Lab 2 part 1 -- Nia
import torch
import pandas as pd
from torch.nn.functional import mse_loss


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    m, n = A.shape
    left = torch.rand(m, rank, requires_grad=True)
    right = torch.rand(n, rank, requires_grad=True)
    for ep in range(num_epochs):
        err = mse_loss(left @ right.t(), A, reduction='sum')
        err.backward()
        with torch.no_grad():
            left.sub_(lr * left.grad)
            right.sub_(lr * right.grad)
        left.grad = None
        right.grad = None
    return left.detach(), right.detach()


def main():
    frame = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
    X = torch.tensor(frame.iloc[:, :4].values, dtype=torch.float32)
    X = X - X.mean(0)
    u_hat, v_hat = gd_factorise_ad(X, 2)
    print("loss", mse_loss(u_hat @ v_hat.t(), X, reduction='sum').item())


if __name__ == "__main__":
    main()
