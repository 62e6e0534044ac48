"""Reference solution, comp4901y-hw1 question 2: a two-layer MLP trained by hand-written SGD."""
import torch

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    """y' = relu(x W1) W2 with the squared error loss, gradients written by hand."""

    def __init__(self, in_features, out_features, lr):
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros_like(self.W1)
        self.dW2 = torch.zeros_like(self.W2)
        self.lr = lr

    def forward(self, x, y_label):
        self.x = x
        self.y_label = y_label
        self.a = x @ self.W1
        self.a_relu = torch.clamp(self.a, min=0)
        self.y_pred = self.a_relu @ self.W2
        loss = (self.y_pred - y_label) ** 2
        return loss.sum()

    def backward(self, loss):
        d_y = 2 * (self.y_pred - self.y_label)
        self.dW2 = self.a_relu.T @ d_y
        d_a_relu = d_y @ self.W2.T
        d_a = d_a_relu * (self.a >= 0).to(self.a.dtype)
        self.dW1 = self.x.T @ d_a

    def sgd_step(self):
        self.W1 = self.W1 - self.lr * self.dW1
        self.W2 = self.W2 - self.lr * self.dW2

    def plot(self, losses):
        import matplotlib.pyplot as plt

        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    """The regression data of the handout: a noisy linear target of Gaussian inputs."""
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    model = MLP(D, H, lr)
    losses = []
    for t in range(iters):
        i = torch.randint(0, N, (1,)).item()
        loss = model.forward(X[i : i + 1], Y[i : i + 1])
        model.backward(loss)
        model.sgd_step()
        if t % 100 == 0:
            losses.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(str(v) for v in losses))
    model.plot(losses)
