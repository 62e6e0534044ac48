import torch
from torch.utils.data import DataLoader, TensorDataset

X = torch.load("X.pt")
y = torch.load("y.pt")


def train_linear(X, y, batch_size=32, lr=0.01, epochs=10, momentum=0.0):
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    vw = torch.zeros(1)
    vb = torch.zeros(1)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    losses = []
    for epoch in range(epochs):
        for xb, yb in loader:
            loss = torch.mean((w * xb + b - yb) ** 2)
            loss.backward()
            with torch.no_grad():
                # velocity with the learning rate folded in (same thing for a constant lr)
                vw = momentum * vw + lr * w.grad
                vb = momentum * vb + lr * b.grad
                w -= vw
                b -= vb
            w.grad.zero_()
            b.grad.zero_()
            losses.append(loss)
        print(f"epoch {epoch} loss {loss.item():.4f}")
    return w.item(), b.item(), losses


if __name__ == "__main__":
    slope, bias, losses = train_linear(X, y)
    print(slope, bias)
