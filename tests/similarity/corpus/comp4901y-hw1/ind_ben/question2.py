# COMP4901Y HW1 Q2 - Ben
import torch
import matplotlib.pyplot as plt

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.lr = lr
        self.W1 = torch.randn((in_features, out_features))
        self.W2 = torch.randn((out_features, 1))
        self.dW1 = torch.zeros_like(self.W1)
        self.dW2 = torch.zeros_like(self.W2)
        self.cache = {}

    def forward(self, x, y_label):
        a = x @ self.W1
        a_prime = torch.maximum(a, torch.zeros_like(a))
        y_hat = a_prime @ self.W2
        loss = torch.sum((y_hat - y_label) * (y_hat - y_label))
        self.cache = {"x": x, "a": a, "a_prime": a_prime, "y_hat": y_hat, "y": y_label}
        return loss

    def backward(self, loss):
        c = self.cache
        dy = 2.0 * (c["y_hat"] - c["y"])
        self.dW2 = c["a_prime"].T @ dy
        da_prime = dy @ self.W2.T
        relu_grad = (c["a"] >= 0).float()
        da = da_prime * relu_grad
        self.dW1 = c["x"].T @ da

    def sgd_step(self):
        self.W1 = self.W1 - self.lr * self.dW1
        self.W2 = self.W2 - self.lr * self.dW2

    def plot(self, losses):
        plt.figure(figsize=(8, 5))
        plt.plot([100 * k for k in range(len(losses))], losses, label="training loss")
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.yscale("log")
        plt.legend()
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    net = MLP(D, H, lr)
    recorded = []
    for it in range(iters):
        idx = torch.randint(0, N, (1,)).item()
        l = net.forward(X[idx].unsqueeze(0), Y[idx].unsqueeze(0))
        net.backward(l)
        net.sgd_step()
        if it % 100 == 0:
            recorded.append(l.item())
            if it % 10000 == 0:
                print(f"iter {it}: loss {l.item():.5f}")
    with open("Q2_output.txt", "w") as out:
        for v in recorded:
            out.write(f"{v}\n")
    net.plot(recorded)
