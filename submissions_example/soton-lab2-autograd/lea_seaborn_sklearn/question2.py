import torch
import torch.nn.functional as F
import pandas as pd
import seaborn as sns
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.metrics import confusion_matrix
from scipy import stats

iris = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", header=None)
labels = {name: i for i, name in enumerate(iris[4].unique())}
X = torch.tensor(iris.iloc[:, :4].values, dtype=torch.float)
X = (X - X.mean(dim=0)) / X.var(dim=0)
y = torch.tensor(iris[4].map(labels).values, dtype=torch.long)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=50, stratify=y)

W1 = torch.randn(4, 12, requires_grad=True)
W2 = torch.randn(12, 3, requires_grad=True)
b1 = torch.zeros(1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)

for epoch in range(100):
    loss = F.cross_entropy(torch.relu(X_train @ W1 + b1) @ W2 + b2, y_train)
    loss.backward()
    with torch.no_grad():
        for p in (W1, W2, b1, b2):
            p -= 0.01 * p.grad
            p.grad.zero_()

predicted = (torch.relu(X_val @ W1 + b1) @ W2 + b2).argmax(dim=1)
print("validation accuracy", (predicted == y_val).float().mean().item())
print("mode of the predictions", stats.mode(predicted.numpy(), keepdims=False).mode)
sns.heatmap(confusion_matrix(y_val, predicted), annot=True)
plt.savefig("q2_confusion.png")
