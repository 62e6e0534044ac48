import torch
import pandas as pd
import seaborn as sns
import matplotlib.pyplot as plt
from sklearn.decomposition import PCA
from torch.nn.functional import mse_loss

sns.set_theme(style="whitegrid")


def gd_factorise_ad(A, rank, num_epochs=1000, lr=0.01):
    """Factorise A ~ U V^T with autograd."""
    U = torch.rand((A.shape[0], rank), dtype=A.dtype, requires_grad=True)
    V = torch.rand((A.shape[1], rank), dtype=A.dtype, requires_grad=True)
    for _ in range(num_epochs):
        loss = mse_loss(U @ V.T, A, reduction="sum")
        loss.backward()
        with torch.no_grad():
            U.sub_(lr * U.grad)
            V.sub_(lr * V.grad)
            U.grad.zero_()
            V.grad.zero_()
    return U.detach(), V.detach()


iris = pd.read_csv("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data",
                   names=["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
X = torch.tensor(iris.iloc[:, :4].values)
X = X - X.mean(dim=0)
U_hat, V_hat = gd_factorise_ad(X, 2)
pcs = PCA(n_components=2).fit_transform(X.numpy())
iris["gd_0"], iris["gd_1"] = U_hat[:, 0].numpy(), U_hat[:, 1].numpy()
iris["pc_0"], iris["pc_1"] = pcs[:, 0], pcs[:, 1]
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
sns.scatterplot(data=iris, x="pc_0", y="pc_1", hue="species", ax=axes[0])
sns.scatterplot(data=iris, x="gd_0", y="gd_1", hue="species", ax=axes[1])
plt.savefig("q1_scatter.png")
