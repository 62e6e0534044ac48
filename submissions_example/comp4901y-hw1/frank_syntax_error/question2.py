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
        self.dW1 = torch.zeros(in_features, out_features)
        self.dW2 = torch.zeros(out_features, 1)
        self.lr = lr

    def forward(self, x, y_label):
        self.x, self.y = x, y_label
        self.a = torch.mm(x, self.W1)
        self.h = torch.relu(self.a)
        self.out = torch.mm(self.h, self.W2)
        return ((self.out - y_label) ** 2).sum()

    def backward(self, loss):
        g_out = 2.0 * (self.out - self.y)               # 1 x 1
        self.dW2 = torch.mm(self.h.t(), g_out)          # H x 1
        g_h = torch.mm(g_out, self.W2.t())              # 1 x H
        g_a = g_h * (self.a >= 0).float()
        self.dW1 = torch.mm(self.x.t(), g_a)            # D x H

    def sgd_step(self):
        self.W1 -= self.lr * self.dW1
        self.W2 -= self.lr * self.dW2

    def plot(self, losses):
        plt.figure()
        plt.plot(losses)
        plt.title("training loss (every 100 iterations)")
        plt.savefig("question2_result.pdf")


if __name__ == "__main__":
    torch.manual_seed(seed)
    X = torch.randn(N, D) / D
    Y = X @ torch.randn(D, 1) + 0.1 * torch.randn(N, 1)
    model = MLP(D, H, lr)
    losses = []
    for it in range(iters):
        idx = torch.randint(N, (1,)).item()
        loss = model.forward(X[idx:idx + 1], Y[idx:idx + 1])
        model.backward(loss)
        model.sgd_step()
        if it % 100 == 0:
            losses.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        for l in losses:
            f.write(f"{l}\n")
    model.plot(losses)
