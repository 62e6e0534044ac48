#!/usr/bin/env python
# coding: utf-8

# In[1]:


import torch
import matplotlib.pyplot as plt
from tqdm import tqdm


# In[2]:


seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


# In[3]:


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros(in_features, out_features)
        self.dW2 = torch.zeros(out_features, 1)
        self.lr = lr

    def forward(self, x, y_label):
        self.x, self.y = x, y_label
        self.h = x @ self.W1
        self.h_relu = torch.relu(self.h)
        self.out = self.h_relu @ self.W2
        return ((self.out - y_label) ** 2).sum()

    def backward(self, loss):
        g_out = 2 * (self.out - self.y)                # 1 x 1
        self.dW2 = self.h_relu.t() @ g_out             # H x 1
        g_h = (g_out @ self.W2.t()) * (self.h >= 0)    # 1 x H
        self.dW1 = self.x.t() @ g_h                    # D x H

    def sgd_step(self):
        self.W1 -= self.lr * self.dW1
        self.W2 -= self.lr * self.dW2

    def plot(self, losses):
        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


# In[4]:


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    model = MLP(D, H, lr)
    losses = []
    for t in tqdm(range(iters)):
        i = torch.randint(0, N, (1,)).item()
        loss = model.forward(X[i:i + 1], Y[i:i + 1])
        model.backward(loss)
        model.sgd_step()
        if t % 100 == 0:
            losses.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(map(str, losses)))
    model.plot(losses)

