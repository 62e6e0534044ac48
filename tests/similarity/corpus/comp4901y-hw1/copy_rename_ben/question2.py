# HW1 question 2
import torch
import matplotlib.pyplot as plt

seed = 2024
iters = int(1e5)
N, D, H = 500, 64, 64
lr = 0.03


class MLP:
    def __init__(self, in_features, out_features, lr):
        self.step_size = lr
        self.W1 = torch.randn((in_features, out_features))
        self.W2 = torch.randn((out_features, 1))
        self.dW1 = torch.zeros_like(self.W1)
        self.dW2 = torch.zeros_like(self.W2)
        self.memory = {}

    def forward(self, x, y_label):
        hidden = x @ self.W1
        activated = torch.maximum(hidden, torch.zeros_like(hidden))
        prediction = activated @ self.W2
        total = torch.sum((prediction - y_label) * (prediction - y_label))
        self.memory = {"inp": x, "hid": hidden, "act": activated, "pred": prediction, "tgt": y_label}
        return total

    def backward(self, loss):
        m = self.memory
        g_pred = 2.0 * (m["pred"] - m["tgt"])
        self.dW2 = m["act"].T @ g_pred
        g_act = g_pred @ self.W2.T
        mask = (m["hid"] >= 0).float()
        g_hid = g_act * mask
        self.dW1 = m["inp"].T @ g_hid

    def sgd_step(self):
        self.W1 = self.W1 - self.step_size * self.dW1
        self.W2 = self.W2 - self.step_size * self.dW2

    def plot(self, losses):
        plt.figure(figsize=(8, 5))
        plt.plot([100 * s for s in range(len(losses))], losses, label="loss during training")
        plt.xlabel("iteration")
        plt.ylabel("loss")
        plt.yscale("log")
        plt.legend()
        plt.savefig("question2_result.pdf")


def make_data(n, d, generator=None):
    X = torch.randn(n, d, generator=generator) / d
    w = torch.randn(d, 1, generator=generator)
    Y = X @ w + 0.1 * torch.randn(n, 1, generator=generator)
    return X, Y


if __name__ == "__main__":
    torch.manual_seed(seed)
    X, Y = make_data(N, D)
    network = MLP(D, H, lr)
    history = []
    for step in range(iters):
        pick = torch.randint(0, N, (1,)).item()
        cur = network.forward(X[pick].unsqueeze(0), Y[pick].unsqueeze(0))
        network.backward(cur)
        network.sgd_step()
        if step % 100 == 0:
            history.append(cur.item())
            if step % 10000 == 0:
                print(f"step {step}: loss={cur.item():.5f}")
    with open("Q2_output.txt", "w") as fout:
        for val in history:
            fout.write(f"{val}\n")
    network.plot(history)
