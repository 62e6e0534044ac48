#!/usr/bin/env python
# coding: utf-8

# # Lab 2 - Part 2

# In[1]:


import torch
import torch.nn.functional as F
import pandas as pd


# In[2]:


def load():
    df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
    df = df.sample(frac=1)
    mapping = {k: v for v, k in enumerate(df[4].unique())}
    df[5] = df[4].map(mapping)
    alldata = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values, dtype=torch.float)
    alldata = (alldata - alldata.mean(dim=0)) / alldata.var(dim=0)
    t = torch.tensor(df[5].values, dtype=torch.long)
    return alldata[:100], t[:100], alldata[100:], t[100:]


def train_mlp(epochs=100, lr=0.01):
    data_tr, targets_tr, _, _ = load()
    W1 = torch.randn(4, 12, requires_grad=True)
    W2 = torch.randn(12, 3, requires_grad=True)
    b1 = torch.zeros(1, requires_grad=True)
    b2 = torch.zeros(1, requires_grad=True)
    for epoch in range(epochs):
        loss = F.cross_entropy(torch.relu(data_tr @ W1 + b1) @ W2 + b2, targets_tr)
        loss.backward()
        with torch.no_grad():
            for p in [W1, W2, b1, b2]:
                p -= lr * p.grad
                p.grad.zero_()
    return W1, W2, b1, b2


# In[3]:


def accuracy(params, x, t):
    W1, W2, b1, b2 = params
    return ((torch.relu(x @ W1 + b1) @ W2 + b2).argmax(1) == t).float().mean().item()


for run in range(5):
    params = train_mlp()
    _, _, x_va, t_va = load()
    print(f"run {run}: validation accuracy {accuracy(params, x_va, t_va):.3f}")

