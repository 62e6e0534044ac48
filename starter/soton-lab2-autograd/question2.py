"""Lab 2 Exercise, part 2: a simple MLP trained by gradient descent on raw tensors.

After the script runs, the trained W1 (4 x 12), W2 (12 x 3) and scalar biases b1, b2 must be
module-level names: the grader reads them (or calls train_mlp() -> (W1, W2, b1, b2) if you
define it).
"""
import pandas as pd
import torch

df = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
df = df.sample(frac=1)  # shuffle
mapping = {k: v for v, k in enumerate(df[4].unique())}  # label indices
df[5] = df[4].map(mapping)
alldata = torch.tensor(df.iloc[:, [0, 1, 2, 3]].values, dtype=torch.float)
alldata = (alldata - alldata.mean(dim=0)) / alldata.var(dim=0)
targets_tr = torch.tensor(df.iloc[:100, 5].values, dtype=torch.long)
targets_va = torch.tensor(df.iloc[100:, 5].values, dtype=torch.long)
data_tr = alldata[:100]
data_va = alldata[100:]

# 2.1: logits = torch.relu(data @ W1 + b1) @ W2 + b2; W1, W2 ~ normal, b1 = b2 = 0 (scalars);
#      100 epochs of gradient descent at lr 0.01 on torch.nn.functional.cross_entropy.
# 2.2: training and validation accuracies; run it a few times.
