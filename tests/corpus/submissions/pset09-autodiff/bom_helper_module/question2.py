# Problem 2 – SGD with autograd
import torch
from torch.utils.data import DataLoader, TensorDataset
import matplotlib.pyplot as plt

X = torch.load('X.pt')
y = torch.load('y.pt')
print(X.shape, y.shape)


def train_linear(X, y, batch_size=32, lr=0.01, epochs=10, momentum=0.0):
    theta = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=lr, momentum=momentum)
    dl = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    losses = []
    for _ in range(epochs):
        for xb, yb in dl:
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(theta[0] * xb + theta[1], yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return theta[0].item(), theta[1].item(), losses


slope, bias, losses = train_linear(X, y)
print('slope', slope, 'bias', bias)
plt.plot(losses)
plt.savefig('losses.png')
