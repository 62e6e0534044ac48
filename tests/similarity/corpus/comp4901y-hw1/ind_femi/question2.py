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
        # W1: D x H, W2: H x 1
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1, self.dW2 = torch.zeros_like(self.W1), torch.zeros_like(self.W2)
        self.lr = lr

    def forward(self, x, y_label):
        """x: 1 x D, y_label: 1 x 1 -> the loss; keep what backward needs."""
        self.ctx = dict(x=x, y=y_label)
        self.ctx["a"] = torch.einsum("ij,jk->ik", x, self.W1)
        self.ctx["r"] = torch.nn.functional.relu(self.ctx["a"])
        self.ctx["yp"] = torch.einsum("ij,jk->ik", self.ctx["r"], self.W2)
        return torch.square(self.ctx["yp"] - y_label).sum()

    def backward(self, loss):
        """Fill self.dW1 and self.dW2 with dl/dW1 and dl/dW2 (relu'(a) = 1 for a >= 0)."""
        c = self.ctx
        e = 2 * (c["yp"] - c["y"])
        self.dW2 = torch.einsum("ji,jk->ik", c["r"], e)
        back = torch.einsum("ij,kj->ik", e, self.W2)
        back = back * torch.heaviside(c["a"], torch.tensor(1.0))
        self.dW1 = torch.einsum("ji,jk->ik", c["x"], back)

    def sgd_step(self):
        """W1 -= lr * dW1 and W2 -= lr * dW2."""
        for name in ("W1", "W2"):
            setattr(self, name, getattr(self, name) - self.lr * getattr(self, "d" + name))

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
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(str(v) for v in losses))
    model.plot(losses)
