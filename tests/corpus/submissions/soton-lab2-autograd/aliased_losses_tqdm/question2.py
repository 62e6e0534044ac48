import torch
import torch.nn.functional as F
import pandas as pd
from tqdm import trange

loss_fn = F.cross_entropy
init = torch.randn

df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data', header=None)
df = df.sample(frac=1)
mapping = {k: v for v, k in enumerate(df[4].unique())}
df[5] = df[4].map(mapping)
alldata = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values, dtype=torch.float)
alldata = (alldata - alldata.mean(dim=0)) / alldata.var(dim=0)
targets_tr = torch.tensor(df.iloc[:100, 5].values, dtype=torch.long)
targets_va = torch.tensor(df.iloc[100:, 5].values, dtype=torch.long)
data_tr = alldata[:100]
data_va = alldata[100:]

W1 = init(4, 12).requires_grad_()
W2 = init(12, 3).requires_grad_()
b1 = torch.zeros(1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
params = [W1, W2, b1, b2]


def model(x):
    return torch.relu(x @ W1 + b1) @ W2 + b2


for epoch in trange(100):
    loss = loss_fn(model(data_tr), targets_tr)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= 0.01 * p.grad
            p.grad = None

print("train acc", (model(data_tr).argmax(1) == targets_tr).float().mean().item())
print("val acc", (model(data_va).argmax(1) == targets_va).float().mean().item())
