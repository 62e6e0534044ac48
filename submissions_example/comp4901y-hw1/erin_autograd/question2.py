import torch
import matplotlib.pyplot as plt

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros_like(self.W1)
        self.dW2 = torch.zeros_like(self.W2)
        self.lr = lr

    def forward(self, x, y_label):
        self.x, self.y = x, y_label
        return ((torch.relu(x @ self.W1) @ self.W2 - y_label) ** 2).sum()

    def backward(self, loss):
        # let autograd do the work
        W1 = self.W1.detach().requires_grad_(True)
        W2 = self.W2.detach().requires_grad_(True)
        l = ((torch.relu(self.x @ W1) @ W2 - self.y) ** 2).sum()
        l.backward()
        self.dW1, self.dW2 = W1.grad, W2.grad

    def sgd_step(self):
        self.W1 = self.W1 - self.lr * self.dW1
        self.W2 = self.W2 - self.lr * self.dW2

    def plot(self, losses):
        plt.plot(losses)
        plt.savefig("question2_result.pdf")


if __name__ == "__main__":
    torch.manual_seed(seed)
    X = torch.randn(N, D) / D
    Y = X @ torch.randn(D, 1) + 0.1 * torch.randn(N, 1)
    model = MLP(D, H, lr)
    losses = []
    for it in range(iters):
        i = torch.randint(N, (1,)).item()
        loss = model.forward(X[i:i + 1], Y[i:i + 1])
        model.backward(loss)
        model.sgd_step()
        if it % 100 == 0:
            losses.append(loss.item())
    model.plot(losses)
