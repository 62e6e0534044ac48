import torch

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

    def forward(self, x, y_label):
        self.x, self.y_label = x, y_label
        self.a = x @ self.W1
        self.a_relu = torch.where(self.a >= 0, self.a, torch.zeros_like(self.a))
        self.y_hat = self.a_relu @ self.W2
        return ((self.y_hat - y_label) ** 2).sum()

    def backward(self, loss):
        dy = 2 * (self.y_hat - self.y_label)
        self.dW2 = self.a_relu.T @ dy
        da = (dy @ self.W2.T) * (self.a >= 0)
        self.dW1 = self.x.T @ da

    def sgd_step(self):
        self.W1 -= self.lr * self.dW1
        self.W2 -= self.lr * self.dW2

    def plot(self, losses):
        import matplotlib.pyplot as plt
        plt.plot(range(0, 100 * len(losses), 100), losses)
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


def check_gradients():
    """compare my gradients with autograd (only for testing, not used in training)"""
    m = MLP(5, 3, lr)
    x, y = torch.randn(1, 5), torch.randn(1, 1)
    W1 = m.W1.clone().requires_grad_(True)
    W2 = m.W2.clone().requires_grad_(True)
    ((torch.relu(x @ W1) @ W2 - y) ** 2).sum().backward()
    m.backward(m.forward(x, y))
    print("dW1 ok:", torch.allclose(W1.grad, m.dW1), "dW2 ok:", torch.allclose(W2.grad, m.dW2))


if __name__ == "__main__":
    check_gradients()
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
