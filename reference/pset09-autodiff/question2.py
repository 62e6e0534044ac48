"""Reference solution, pset09-autodiff problem 2: a linear model trained by SGD with autograd."""
import torch
from torch.utils.data import DataLoader, TensorDataset


def train_linear(X, y, batch_size=32, lr=0.01, epochs=10, momentum=0.0):
    """Fit y = slope * X + bias by mini-batch SGD (MSE, zero init, optional momentum).

    Returns the slope, the bias and the loss of every batch.
    """
    parameters = torch.zeros(2, requires_grad=True)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    criterion = torch.nn.MSELoss()
    velocity = None
    losses = []
    for epoch in range(epochs):
        for batch_idx, (inputs, targets) in enumerate(loader):
            if parameters.grad is not None:
                parameters.grad.zero_()
            outputs = parameters[0] * inputs + parameters[1]
            loss = criterion(outputs, targets)
            loss.backward()
            with torch.no_grad():
                g = parameters.grad
                velocity = g.clone() if velocity is None else momentum * velocity + g
                parameters.copy_(parameters - lr * velocity)
            losses.append(loss.item())
    slope, bias = parameters.detach().tolist()
    return slope, bias, losses
