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
        self.x = x.reshape(1, -1)
        self.y_label = y_label.reshape(1, 1)
        self.pre_act = self.x.matmul(self.W1)
        self.post_act = self.pre_act.relu()
        self.y_hat = self.post_act.matmul(self.W2)
        self.err = self.y_hat - self.y_label
        return self.err.pow(2).sum()

    def backward(self, loss):
        dL_dyhat = 2 * self.err
        self.dW2 = self.post_act.transpose(0, 1).matmul(dL_dyhat)
        dL_dpost = dL_dyhat.matmul(self.W2.transpose(0, 1))
        dL_dpre = dL_dpost.masked_fill(self.pre_act < 0, 0.0)
        self.dW1 = self.x.transpose(0, 1).matmul(dL_dpre)
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
    all_losses = []
    for iteration in range(iters):
        sample = int(torch.randint(0, N, (1,)))
        loss = model.forward(X[sample], Y[sample])
        model.backward(loss)
        model.sgd_step()
        if iteration % 100 == 0:
            all_losses.append(loss.item())
    with open("Q2_output.txt", "w") as f:
        f.write("\n".join(f"{v:.6f}" for v in all_losses))
    model.plot(all_losses)


if __name__ == "__main__":
    main()
