"""Question 2 -- Dara K."""
import torch
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.in_features = in_features
        self.out_features = out_features
        self.lr = lr
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros(in_features, out_features)
        self.dW2 = torch.zeros(out_features, 1)

    def forward(self, x, y_label):
        # forward pass: a = xW1, a' = relu(a), y' = a'W2
        self.x, self.y_label = x, y_label
        self.a = x @ self.W1
        self.mask = self.a >= 0
        self.a_relu = self.a * self.mask
        self.y_out = self.a_relu @ self.W2
        self.loss = (self.y_out - y_label).pow(2).sum()
        return self.loss

    def backward(self, loss):
        # dl/dy' = 2(y' - y)
        g = 2 * (self.y_out - self.y_label)
        # dl/dW2 = a'^T g
        self.dW2 = self.a_relu.T @ g
        # back through W2 and relu
        g = (g @ self.W2.T) * self.mask
        # dl/dW1 = x^T g
        self.dW1 = self.x.T @ g

    def sgd_step(self):
        self.W1 -= self.lr * self.dW1
        self.W2 -= self.lr * self.dW2

    def plot(self, losses):
        xs = [i * 100 for i in range(len(losses))]
        fig, ax = plt.subplots()
        ax.plot(xs, losses)
        ax.set_xlabel("iteration")
        ax.set_ylabel("squared error")
        ax.grid(True)
        fig.savefig("question2_result.pdf", bbox_inches="tight")


def make_data(n, d, generator=None):
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    mlp = MLP(D, H, lr)
    losses = []
    for t in range(iters):
        k = torch.randint(N, (1,)).item()
        loss = mlp.forward(X[k:k+1], Y[k:k+1])
        mlp.backward(loss)
        mlp.sgd_step()
        if t % 100 == 0:
            losses.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        for value in losses:
            print(value, file=f)
    mlp.plot(losses)
