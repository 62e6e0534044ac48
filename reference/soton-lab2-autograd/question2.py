"""Reference solution, soton-lab2-autograd part 2: an MLP with shared scalar biases, trained by hand."""
import pandas as pd
import torch
import torch.nn.functional as F

df = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
df = df.sample(frac=1)  # shuffle
mapping = {k: v for v, k in enumerate(df[4].unique())}
df[5] = df[4].map(mapping)
alldata = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values, dtype=torch.float)
alldata = (alldata - alldata.mean(dim=0)) / alldata.var(dim=0)
targets_tr = torch.tensor(df.iloc[:100, 5].values, dtype=torch.long)
targets_va = torch.tensor(df.iloc[100:, 5].values, dtype=torch.long)
data_tr = alldata[:100]
data_va = alldata[100:]

W1 = torch.randn(4, 12, requires_grad=True)
W2 = torch.randn(12, 3, requires_grad=True)
b1 = torch.zeros(1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)


def logits_of(data):
    """relu(data @ W1 + b1) @ W2 + b2."""
    return torch.relu(data @ W1 + b1) @ W2 + b2


for epoch in range(100):
    loss = F.cross_entropy(logits_of(data_tr), targets_tr)
    loss.backward()
    with torch.no_grad():
        for p in (W1, W2, b1, b2):
            p -= 0.01 * p.grad
            p.grad.zero_()


def accuracy(data, targets):
    """The share of rows whose largest logit is the target."""
    return (logits_of(data).argmax(dim=1) == targets).float().mean().item()


print(f"2.2 training accuracy {accuracy(data_tr, targets_tr):.3f}, validation {accuracy(data_va, targets_va):.3f}")
