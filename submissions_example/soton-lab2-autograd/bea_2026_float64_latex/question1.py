from typing import Tuple
import torch
import pandas as pd
import matplotlib
matplotlib.use("pgf")
import matplotlib.pyplot as plt
matplotlib.rcParams.update({"pgf.texsystem": "pdflatex", "font.family": "serif", "text.usetex": True,
                            "pgf.rcfonts": False})
torch.set_default_dtype(torch.float64)


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    U = torch.rand(A.shape[0], rank, requires_grad=True)
    V = torch.rand(A.shape[1], rank, requires_grad=True)
    for epoch in range(num_epochs):
        U.grad = None
        V.grad = None
        loss = torch.nn.functional.mse_loss(U @ V.t(), A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U.sub_(lr * U.grad)
            V.sub_(lr * V.grad)
    return U.detach(), V.detach()


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases '
                 + '/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
U, V = gd_factorise_ad(data, 2)
print("loss", torch.nn.functional.mse_loss(U @ V.t(), data, reduction='sum'))
u, s, v = torch.svd(data)
print("svd loss", torch.sum((data - u[:, :2] @ torch.diag(s[:2]) @ v[:, :2].t()) ** 2))
fig, ax = plt.subplots(1, 2)
ax[0].scatter(u[:, 0], u[:, 1], label=r"$\mathrm{PCA}$")
ax[1].scatter(U[:, 0], U[:, 1], label=r"$\hat{U}$")
fig.savefig("pca.pgf")
fig.savefig("pca.pdf")
