import torch
import matplotlib.pyplot as plt

torch.set_printoptions(precision=4)

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.lr = lr
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = None
        self.dW2 = None

    def forward(self, x, y_label):
        self.inp = x.reshape(1, -1)
        self.target = y_label.reshape(1, 1)
        self.z = self.inp.matmul(self.W1)
        self.h = self.z.relu()
        self.out = self.h.matmul(self.W2)
        self.err = self.out - self.target
        return self.err.pow(2).sum()

    def backward(self, loss):
        g_out = 2 * self.err
        self.dW2 = torch.zeros_like(self.W2)
        for j in range(self.W2.shape[0]):
            self.dW2[j, 0] = self.h[0, j] * g_out[0, 0]
        g_h = torch.zeros_like(self.h)
        for j in range(self.h.shape[1]):
            g_h[0, j] = g_out[0, 0] * self.W2[j, 0]
        g_z = g_h.masked_fill(self.z < 0, 0.0)
        self.dW1 = torch.zeros_like(self.W1)
        for i in range(self.W1.shape[0]):
            for j in range(self.W1.shape[1]):
                self.dW1[i, j] = self.inp[0, i] * g_z[0, j]
        return self.dW1, self.dW2

    def sgd_step(self):
        self.W1.add_(self.dW1, alpha=-self.lr)
        self.W2.add_(self.dW2, alpha=-self.lr)

    def plot(self, losses):
        plt.clf()
        plt.plot(range(0, len(losses) * 100, 100), losses, linewidth=0.8)
        plt.xlabel("Iteration")
        plt.ylabel("Loss")
        plt.title("Training loss")
        plt.tight_layout()
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


def main():
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    model = MLP(D, H, lr)
    loss_log = []
    for it in range(iters):
        s = int(torch.randint(0, N, (1,)))
        loss = model.forward(X[s], Y[s])
        model.backward(loss)
        model.sgd_step()
        if it % 100 == 0:
            loss_log.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(f"{v:.6f}" for v in loss_log))
    model.plot(loss_log)


if __name__ == "__main__":
    main()
