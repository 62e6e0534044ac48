import torch
import torch.nn.functional as F

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03
VERBOSE = False


def make_data(n, d, generator=None):
    """The regression data: a noisy linear target of Gaussian inputs."""
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


class MLP:
    """Two-layer network trained by hand-derived gradients."""

    def __init__(self, in_features, out_features, lr):
        self.lr = lr
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1, self.dW2 = torch.zeros_like(self.W1), torch.zeros_like(self.W2)
        self.history = []

    def sgd_step(self):
        # plain gradient descent on both layers
        for p in ("W1", "W2"):
            setattr(self, p, getattr(self, p) - self.lr * getattr(self, "d" + p))

    def backward(self, loss):
        st = self.state
        err = 2 * (st["out"] - st["t"])
        self.dW2 = torch.einsum("ji,jk->ik", st["h"], err)
        g = torch.zeros(1, self.W2.shape[0])
        for j in range(self.W2.shape[0]):
            g[0, j] = err[0, 0] * self.W2[j, 0]
        g = g * torch.heaviside(st["z"], torch.tensor(1.0))
        self.dW1 = torch.einsum("ji,jk->ik", st["inp"], g)
        if VERBOSE:
            print(self.dW1.norm(), self.dW2.norm())

    def forward(self, x, y_label):
        self.state = dict(inp=x, t=y_label)
        self.state["z"] = torch.einsum("ij,jk->ik", x, self.W1)
        self.state["h"] = F.relu(self.state["z"])
        self.state["out"] = torch.einsum("ij,jk->ik", self.state["h"], self.W2)
        return torch.square(self.state["out"] - y_label).sum()

    def plot(self, losses):
        import matplotlib.pyplot as plt

        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.savefig("question2_result.pdf")


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    net = MLP(D, H, lr)
    record = []
    for step in range(iters):
        k = torch.randint(0, N, (1,)).item()
        cur = net.forward(X[k : k + 1], Y[k : k + 1])
        net.backward(cur)
        net.sgd_step()
        if step % 100 == 0:
            record.append(cur.item())
    with open("Q2_output.txt", "w") as out:
        out.write("\n".join(str(v) for v in record))
    net.plot(record)
