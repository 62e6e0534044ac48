"""Problem Set 09, problem 2: stochastic gradient descent with autograd.

X.pt and y.pt (in this folder) hold the data set: load them with torch.load.
"""
import torch
from torch.utils.data import DataLoader, TensorDataset


def train_linear(X, y, batch_size=32, lr=0.01, epochs=10, momentum=0.0):
    """Fit y = slope * X + bias with the handout's training loop.

    Parameters start at zero; the loss is the mean squared error; batches come from
    DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True). With momentum mu,
    b_0 = g_0 and b_t = mu b_(t-1) + g_t, and the update is theta -= lr * b_t.
    Return (slope, bias, losses): two floats and the list of every batch's loss.
    """
    raise NotImplementedError


if __name__ == "__main__":
    X, y = torch.load("X.pt"), torch.load("y.pt")
    slope, bias, losses = train_linear(X, y)
    print(f"2.1 slope {slope:.3f} bias {bias:.3f}")
