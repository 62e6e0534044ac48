# Lab 2, question 1 -- kim
# données iris téléchargées dans le même dossier (iris.data)
from typing import Tuple
import torch
import torch.nn.functional as F
import pandas as pd
import matplotlib.pyplot as plt


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
	U = torch.rand(A.shape[0], rank, dtype=A.dtype, requires_grad=True)
	V = torch.rand(A.shape[1], rank, dtype=A.dtype, requires_grad=True)
	for epoch in range(num_epochs):
		loss = F.mse_loss(U @ V.t(), A, reduction='sum')
		loss.backward()
		with torch.no_grad():
			U -= lr * U.grad
			V -= lr * V.grad
			U.grad.zero_()
			V.grad.zero_()
	return U.detach(), V.detach()


df = pd.read_csv('iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
U_hat, V_hat = gd_factorise_ad(data, 2)
print(F.mse_loss(U_hat @ V_hat.t(), data, reduction='sum'))
plt.scatter(U_hat[:, 0], U_hat[:, 1])
plt.savefig('q1.png')
