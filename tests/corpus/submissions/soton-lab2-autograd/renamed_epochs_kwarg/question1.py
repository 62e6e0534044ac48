# -*- coding: utf-8 -*-
"""
Spyder Editor

This is a temporary script file.
"""
from typing import Tuple
import torch
import pandas as pd

#Question1---------------------
A_matrix = torch.tensor([[0.3374, 0.6005, 0.1735], [3.3359, 0.0492, 1.8374], [2.9407, 0.5301, 2.2620]])
rnk = 2
N_epochs = 1000
l_rate = 0.01


def function(A, U, V):
    return torch.nn.functional.mse_loss(U @ V.t(), A, reduction='sum')


def gd_factorise_ad(A: torch.Tensor, rank: int, epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    U = torch.rand(A.shape[0], rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype, requires_grad=True)
    for i in range(0, epochs):
        # throw away the old gradient
        U.grad = None
        V.grad = None
        J = torch.nn.functional.mse_loss(U @ V.t(), A, reduction='sum')
        J.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
    return U.detach(), V.detach()


U, V = gd_factorise_ad(A_matrix, rnk, N_epochs, l_rate)
print(U @ V.t())
print(function(A_matrix, U, V))

#Question2---------------------
df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
U_iris, V_iris = gd_factorise_ad(data, 2, N_epochs, l_rate)
print("GD loss", function(data, U_iris, V_iris).item())
