#!/usr/bin/env python
# coding: utf-8

# # Lab 2 - PyTorch Autograd

# In[1]:


get_ipython().system('pip install -q seaborn')
!ldconfig
get_ipython().run_line_magic('matplotlib', 'inline')
import torch
import torch.nn.functional as F
import pandas as pd
import matplotlib.pyplot as plt


# ## 1.1 Implement gradient-based factorisation using PyTorch's AD

# In[2]:


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    U = torch.rand(A.shape[0], rank, dtype=A.dtype, requires_grad=True)
    V = torch.rand(A.shape[1], rank, dtype=A.dtype, requires_grad=True)
    for epoch in range(num_epochs):
        loss = F.mse_loss(U @ V.T, A, reduction='sum')
        loss.backward()
        with torch.no_grad():
            U -= lr * U.grad
            V -= lr * V.grad
        U.grad.zero_()
        V.grad.zero_()
    return U.detach(), V.detach()


# In[3]:


df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
data = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values)
data = data - data.mean(dim=0)
get_ipython().run_cell_magic('time', '', 'U_hat, V_hat = gd_factorise_ad(data, 2)\nprint(F.mse_loss(U_hat @ V_hat.T, data, reduction="sum"))\n')


# In[4]:


U, S, V = torch.svd(data)
plt.scatter(U[:, 0], U[:, 1])
plt.show()
plt.scatter(U_hat[:, 0], U_hat[:, 1])
plt.show()


# ## 2.1 Implement the MLP

# In[5]:


df = df.sample(frac=1)
mapping = {k: v for v, k in enumerate(df[4].unique())}
df[5] = df[4].map(mapping)
alldata = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values, dtype=torch.float)
alldata = (alldata - alldata.mean(dim=0)) / alldata.var(dim=0)
targets_tr = torch.tensor(df.iloc[:100, 5].values, dtype=torch.long)
targets_va = torch.tensor(df.iloc[100:, 5].values, dtype=torch.long)
data_tr = alldata[:100]
data_va = alldata[100:]


# In[6]:


W1 = torch.randn(4, 12, requires_grad=True)
W2 = torch.randn(12, 3, requires_grad=True)
b1 = torch.zeros(1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
for epoch in range(100):
    logits = torch.relu(data_tr @ W1 + b1) @ W2 + b2
    loss = F.cross_entropy(logits, targets_tr)
    loss.backward()
    with torch.no_grad():
        for p in [W1, W2, b1, b2]:
            p -= 0.01 * p.grad
            p.grad.zero_()


# In[7]:


get_ipython().run_line_magic('timeit', 'torch.relu(data_va @ W1 + b1) @ W2 + b2')
print((torch.argmax(torch.relu(data_va @ W1 + b1) @ W2 + b2, dim=1) == targets_va).float().mean())

