"""COMP4901Y Homework 1, question 2: a two-layer MLP trained with gradients written by hand.

Do not use autograd anywhere: no .backward(), no torch.autograd, no requires_grad=True.
Hand in this file and question2_result.pdf (the plot the script saves).
"""
import torch

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    """y' = relu(x W1) W2, trained on the squared error l = (y' - y)^2."""

    def __init__(self, in_features, out_features, lr):
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros_like(self.W1)
        self.dW2 = torch.zeros_like(self.W2)
        self.lr = lr

    def forward(self, x, y_label):
        """x: 1 x D, y_label: 1 x 1 -> the loss; keep what backward needs."""
        self.x = x
        self.y_label = y_label
        self.a = x @ self.W1                  # a = x W1
        self.a_prime = torch.relu(self.a)     # a' = relu(a)
        self.y_prime = self.a_prime @ self.W2  # y' = a' W2
        loss = (self.y_prime - y_label) ** 2  # l = (y' - y)^2
        return loss

    def backward(self, loss):
        """Fill self.dW1 and self.dW2 with dl/dW1 and dl/dW2 (relu'(a) = 1 for a >= 0)."""
        dl_dy = 2 * (self.y_prime - self.y_label)
        self.dW2 = self.a_prime.T @ dl_dy
        dl_da = (dl_dy @ self.W2.T) * (self.a >= 0).float()
        self.dW1 = self.x.T @ dl_da

    def sgd_step(self):
        """W1 -= lr * dW1 and W2 -= lr * dW2."""
        self.W1 = self.W1 - self.lr * self.dW1
        self.W2 = self.W2 - self.lr * self.dW2

    def plot(self, losses):
        import matplotlib.pyplot as plt

        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.xlabel("iteration")
        plt.ylabel("loss")
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
    for t in range(iters):
        i = torch.randint(0, N, (1,)).item()  # one sample, drawn with replacement
        loss = model.forward(X[i : i + 1], Y[i : i + 1])
        model.backward(loss)
        model.sgd_step()
        if t % 100 == 0:
            losses.append(loss.item())
            print(t, loss.item())
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(str(v) for v in losses))
    model.plot(losses)
