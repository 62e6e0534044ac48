import torch
import pandas as pd

df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values).float()   # float32 like everything else here
data = data - data.mean(dim=0)


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    U = torch.rand(A.shape[0], rank, requires_grad=True)
    V = torch.rand(A.shape[1], rank, requires_grad=True)
    for _ in range(num_epochs):
        # A - U V^T in one fused call (beta=-1 flips A's sign; the square does not care)
        loss = torch.nn.functional.mse_loss(torch.addmm(A, U, V.t(), beta=-1), torch.zeros_like(A), reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
            U.grad.zero_()
            V.grad.zero_()
    return U.detach(), V.detach()


U, V = gd_factorise_ad(data, 2)
print("reconstruction loss:", torch.sum((data - U @ V.t()) ** 2).item())
