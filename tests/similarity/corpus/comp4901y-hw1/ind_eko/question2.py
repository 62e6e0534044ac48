import torch
import numpy as np

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
        self.saved = None

    def forward(self, x, y_label):
        hidden = torch.where(x @ self.W1 > 0, x @ self.W1, torch.tensor(0.0))
        y_pred = hidden @ self.W2
        self.saved = (x, x @ self.W1, hidden, y_pred, y_label)
        err = y_pred - y_label
        return (err ** 2).squeeze()

    def backward(self, loss):
        x, pre, hidden, y_pred, y_label = self.saved
        d_pred = 2 * (y_pred - y_label)
        self.dW2 = hidden.t() @ d_pred
        d_hidden = d_pred @ self.W2.t()
        d_pre = torch.where(pre >= 0, d_hidden, torch.zeros_like(d_hidden))
        self.dW1 = x.t() @ d_pre

    def sgd_step(self):
        with torch.no_grad():
            self.W1 = self.W1 - self.lr * self.dW1
            self.W2 = self.W2 - self.lr * self.dW2

    def plot(self, losses):
        import matplotlib.pyplot as plt
        smoothed = np.convolve(np.array(losses), np.ones(10) / 10, mode="valid")
        plt.plot(np.arange(len(losses)) * 100, losses, alpha=0.4, label="loss")
        plt.plot(np.arange(len(smoothed)) * 100, smoothed, label="moving average")
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.legend()
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    """The regression data: a noisy linear target of Gaussian inputs."""
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    model = MLP(D, H, lr)
    losses = []
    samples = torch.randint(0, N, (iters,))
    for t, i in enumerate(samples.tolist()):
        loss = model.forward(X[i : i + 1], Y[i : i + 1])
        model.backward(loss)
        model.sgd_step()
        if t % 100 == 0:
            losses.append(loss.item())
    np.savetxt("Q2_output.txt", np.array(losses))
    model.plot(losses)
