#!/usr/bin/env python
# coding: utf-8

# # Lab 2 - Part 1

# In[1]:


get_ipython().system('pip install pandas scikit-learn')


# In[2]:


import torch
import numpy as np
import pandas as pd
import matplotlib
import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from typing import Tuple
get_ipython().run_line_magic('matplotlib', 'inline')

matplotlib.use("pgf")
matplotlib.rcParams.update({
    "pgf.texsystem": "pdflatex",
    "font.family": "serif",
    "text.usetex": True,
    "pgf.rcfonts": False,
})


# In[3]:


def gd_factorise_ad(A: torch.Tensor, rank: int, num_epochs=1000, lr=0.01) -> Tuple[torch.Tensor, torch.Tensor]:
    U = torch.tensor(torch.rand(A.shape[0], rank), dtype=A.dtype, requires_grad=True)
    V = torch.tensor(torch.rand(A.shape[1], rank), dtype=A.dtype, requires_grad=True)
    losses = []
    for epoch in range(num_epochs):
        J = torch.nn.functional.mse_loss(U @ V.T, A, reduction='sum')
        losses.append(J.item())
        J.backward()
        U.data -= lr * U.grad
        V.data -= lr * V.grad
        U.grad.fill_(0)
        V.grad.fill_(0)
    return U.data, V.data


# In[4]:


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
U_gd, V_gd = gd_factorise_ad(data, 2)
print(torch.nn.functional.mse_loss(U_gd @ V_gd.T, data, reduction='sum'))


# In[5]:


pca = PCA(n_components=2)
proj = pca.fit_transform(data.numpy())
fig, (a1, a2) = plt.subplots(1, 2, figsize=(6, 3))
a1.scatter(proj[:, 0], proj[:, 1], s=5)
a1.set_title(r"$\mathrm{PCA}$")
a2.scatter(U_gd[:, 0], U_gd[:, 1], s=5)
a2.set_title(r"$\hat{U}$")
fig.savefig("lab2_pca.pgf")


# In[ ]:




