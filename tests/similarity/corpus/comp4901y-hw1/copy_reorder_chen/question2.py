import torch

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


def make_data(n, d, generator=None):
    """The regression data: a noisy linear target of Gaussian inputs."""
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


class MLP:
    """A two-layer perceptron; gradients computed without autograd."""

    def __init__(self, in_features, out_features, lr):
        self.lr = lr
        self.W1 = torch.randn(in_features, out_features)
        self.W2 = torch.randn(out_features, 1)
        self.dW1 = torch.zeros(self.W1.shape)
        self.dW2 = torch.zeros(self.W2.shape)

    def sgd_step(self):
        self.W2.sub_(self.lr * self.dW2)
        self.W1.sub_(self.lr * self.dW1)

    def backward(self, loss):
        dpred = 2 * (self.pred - self.target)
        self.dW2 = torch.mm(self.a1.transpose(0, 1), dpred)
        dz1 = torch.mm(dpred, self.W2.transpose(0, 1)) * relu_prime(self.z1)
        self.dW1 = torch.mm(self.inp.transpose(0, 1), dz1)

    def forward(self, x, y_label):
        self.inp = x
        self.target = y_label
        self.z1 = torch.mm(x, self.W1)
        self.a1 = relu(self.z1)
        self.pred = torch.mm(self.a1, self.W2)
        diff = self.pred - self.target
        return (diff * diff).sum()

    def plot(self, losses):
        import matplotlib.pyplot as plt
        plt.plot(range(0, 100*len(losses), 100), losses)
        plt.xlabel("iteration"); plt.ylabel("loss")
        plt.title("training loss")
        plt.savefig("question2_result.pdf")


def relu_prime(z):
    return (z >= 0).to(z.dtype)


def relu(z):
    return z.clamp(min=0)


def train():
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    model = MLP(D, H, lr)
    history = []
    for step in range(iters):
        j = torch.randint(0, N, (1,)).item()
        loss = model.forward(X[j:j+1], Y[j:j+1])
        model.backward(loss)
        model.sgd_step()
        if step % 100 == 0:
            history.append(float(loss))
    return model, history


if __name__ == "__main__":
    model, history = train()
    with open("Q2_output.txt", "w") as fh:
        fh.write("\n".join(map(str, history)))
    model.plot(history)
