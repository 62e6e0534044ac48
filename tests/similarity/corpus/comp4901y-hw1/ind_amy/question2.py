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
        self.dW1 = torch.zeros(in_features, out_features)
        self.dW2 = torch.zeros(out_features, 1)
        self.lr = lr

    def forward(self, x, y_label):
        """x: 1 x D, y_label: 1 x 1 -> the loss; keep what backward needs."""
        self.x = x
        self.y = y_label
        self.h = torch.matmul(x, self.W1)
        self.h_act = torch.relu(self.h)
        self.out = torch.matmul(self.h_act, self.W2)
        return ((self.out - y_label) ** 2).sum()

    def backward(self, loss):
        """Fill self.dW1 and self.dW2 with dl/dW1 and dl/dW2 (relu'(a) = 1 for a >= 0)."""
        grad_out = 2 * (self.out - self.y)          # dl/dy'
        self.dW2 = torch.matmul(self.h_act.t(), grad_out)
        grad_h_act = torch.matmul(grad_out, self.W2.t())
        grad_h = grad_h_act.clone()
        grad_h[self.h < 0] = 0                     # relu derivative
        self.dW1 = torch.matmul(self.x.t(), grad_h)

    def sgd_step(self):
        """W1 -= lr * dW1 and W2 -= lr * dW2."""
        self.W1 -= self.lr * self.dW1
        self.W2 -= self.lr * self.dW2

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
