# -*- coding: latin-1 -*-
# Lab 2 - partie 1 : factorisation (réponses commentées en français)
from typing import Tuple
import torch
import pandas as pd
import matplotlib.pyplot as plt


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    A = A.float()  # les données d'iris arrivent en double précision
    m, n = A.shape
    U = torch.rand(m, rank, requires_grad=True)
    V = torch.rand(n, rank, requires_grad=True)
    for epoch in range(num_epochs):
        loss = torch.nn.functional.mse_loss(U @ V.t(), A, reduction='sum')
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

U_hat, V_hat = gd_factorise_ad(data, 2)
err = torch.nn.functional.mse_loss(U_hat @ V_hat.t(), data.float(), reduction='sum')
print('perte GD :', err.item())

U, S, Vh = torch.linalg.svd(data.float(), full_matrices=False)
S[2:] = 0
svd_err = torch.nn.functional.mse_loss(U @ torch.diag(S) @ Vh, data.float(), reduction='sum')
print('perte SVD tronquée :', svd_err.item())   # presque égales

plt.figure()
plt.scatter(U[:, 0], U[:, 1], c='r', label='ACP')
plt.scatter(U_hat[:, 0], U_hat[:, 1], c='b', label='U (GD)')
plt.legend()
plt.title('Données projetées (ACP à gauche, GD à droite)')
plt.savefig('q1_3.png')
