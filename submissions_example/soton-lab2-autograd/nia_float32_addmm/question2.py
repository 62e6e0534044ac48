import torch
import pandas as pd
import torch.nn.functional as F

df = pd.read_csv('https://archive.ics.uci.edu/ml/machine-learning-databases '
                 + '/iris/iris.data', header=None)
df = df.sample(frac=1)
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
b1 = torch.tensor(0.0, requires_grad=True)
b2 = torch.tensor(0.0, requires_grad=True)
for epoch in range(100):
    logits = torch.relu(data_tr @ W1 + b1) @ W2 + b2
    loss = F.cross_entropy(logits, targets_tr)
    loss.backward()
    with torch.no_grad():
        for p in [W1, W2, b1, b2]:
            p -= 0.01 * p.grad
            p.grad.zero_()
    print(epoch, loss.item())

train_acc = (torch.argmax(torch.relu(data_tr @ W1 + b1) @ W2 + b2, 1) == targets_tr).float().mean()
val_acc = (torch.argmax(torch.relu(data_va @ W1 + b1) @ W2 + b2, 1) == targets_va).float().mean()
print(train_acc, val_acc)
