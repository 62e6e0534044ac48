# Lab 2 part 2 -- Nia. Everything lives in main(): nothing is left at module level.
import torch
import torch.nn.functional as F
import pandas as pd
import matplotlib.pyplot as plt

URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data"


def get_data():
    frame = pd.read_csv(URL, header=None).sample(frac=1)
    codes = {name: i for i, name in enumerate(frame[4].unique())}
    feats = torch.tensor(frame.iloc[:, :4].values, dtype=torch.float)
    feats = (feats - feats.mean(dim=0)) / feats.var(dim=0)
    labels = torch.tensor(frame[4].map(codes).values, dtype=torch.long)
    return feats[:100], labels[:100], feats[100:], labels[100:]


def main():
    xtr, ytr, xva, yva = get_data()
    hidden_w = torch.randn(4, 12, requires_grad=True)
    out_w = torch.randn(12, 3, requires_grad=True)
    bump1 = torch.zeros(1, requires_grad=True)
    bump2 = torch.zeros(1, requires_grad=True)
    hist = []
    n_ep = 100
    for ep in range(n_ep):
        scores = torch.relu(xtr @ hidden_w + bump1) @ out_w + bump2
        obj = F.cross_entropy(scores, ytr)
        obj.backward()
        with torch.no_grad():
            for t in (hidden_w, out_w, bump1, bump2):
                t -= 0.01 * t.grad
                t.grad.zero_()
        hist.append(obj.item())
        if ep % 20 == 0:
            with torch.no_grad():
                val = F.cross_entropy(torch.relu(xva @ hidden_w + bump1) @ out_w + bump2, yva)
            print(f"epoch {ep}: train {obj.item():.3f} val {val.item():.3f}")
    plt.plot(hist)
    plt.savefig("mlp_loss.png")


if __name__ == "__main__":
    main()
