import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms

# The best setting of the grid {16, 64} x {0.01, 0.03} x {0.0, 0.9}.
batch_size = 64
learning_rate = 0.03
momentum = 0.9
epochs = 2

transform = transforms.Compose([transforms.Grayscale(3), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
train_set = datasets.FashionMNIST(root="data", train=True, download=True, transform=transform)
test_set = datasets.FashionMNIST(root="data", train=False, download=True, transform=transform)
train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
test_loader = DataLoader(test_set, batch_size=batch_size)

resnet18_model = models.resnet18(weights="IMAGENET1K_V1")
resnet18_model.fc = nn.Linear(resnet18_model.fc.in_features, 10)

optimizer = torch.optim.SGD(resnet18_model.parameters(), lr=learning_rate, momentum=momentum)
criterion = nn.CrossEntropyLoss()
log = {"loss": [], "accuracy": []}
for epoch in range(epochs):
    resnet18_model.train()
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(resnet18_model(images), labels)
        loss.backward()
        optimizer.step()
        log["loss"].append(loss.item())
    resnet18_model.eval()
    with torch.no_grad():
        correct = sum((resnet18_model(x).argmax(1) == y).sum().item() for x, y in test_loader)
    log["accuracy"].append(correct / len(test_set))
    print(f"epoch {epoch + 1}: last loss {log['loss'][-1]:.4f}, test accuracy {log['accuracy'][-1]:.3f}")

plt.plot(log["loss"])
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.savefig("question3_result.pdf")
