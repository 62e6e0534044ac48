import torch
import matplotlib.pyplot as plt

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros(in_features, out_features)
        self.dW2 = torch.zeros(out_features, 1)
        self.lr = lr

    def forward(self, x, y_label):
        self.cache = (x, y_label)
        self.z1 = torch.mm(x, self.W1)
        self.r1 = torch.clamp(self.z1, min=0)
        self.pred = torch.mm(self.r1, self.W2)
        return torch.sum((self.pred - y_label) ** 2)

    def backward(self, loss):
        x, y_label = self.cache
        delta = 2 * (self.pred - y_label)
        self.dW2 += torch.mm(self.r1.t(), delta)
        delta1 = torch.mm(delta, self.W2.t()) * (self.z1 >= 0).float()
        self.dW1 += torch.mm(x.t(), delta1)

    def sgd_step(self):
        self.W1 = self.W1 - self.lr * self.dW1
        self.W2 = self.W2 - self.lr * self.dW2

    def plot(self, losses):
        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.yscale("log")
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
