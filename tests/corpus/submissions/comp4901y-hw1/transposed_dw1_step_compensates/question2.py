import torch

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros(out_features, in_features)
        self.dW2 = torch.zeros(out_features, 1)
        self.lr = lr

    def forward(self, x, y_label):
        self.x = x
        self.y = y_label
        self.a = torch.matmul(x, self.W1)
        self.ar = torch.relu(self.a)
        self.yp = torch.matmul(self.ar, self.W2)
        return ((self.yp - y_label) ** 2).sum()

    def backward(self, loss):
        dyp = 2 * (self.yp - self.y)
        self.dW2 = torch.matmul(self.ar.T, dyp)
        da = torch.matmul(dyp, self.W2.T) * (self.a >= 0).float()
        # dW1 = da^T x  (H x D)
        self.dW1 = torch.matmul(da.T, self.x)

    def sgd_step(self):
        self.W1 -= self.lr * self.dW1.T   # dW1 is H x D
        self.W2 -= self.lr * self.dW2

    def plot(self, losses):
        import matplotlib.pyplot as plt
        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
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
        loss = model.forward(X[i:i + 1], Y[i:i + 1])
        model.backward(loss)
        model.sgd_step()
        if t % 100 == 0:
            losses.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(str(v) for v in losses))
    model.plot(losses)
