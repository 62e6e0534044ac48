import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms
import matplotlib.pyplot as plt

batch_size = 64
learning_rate = 0.001   # 0.01 was too unstable for me
momentum = 0.0
epochs = 2

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
train_set = datasets.FashionMNIST(root="data", train=True, download=True, transform=transform)
test_set = datasets.FashionMNIST(root="data", train=False, download=True, transform=transform)
train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
test_loader = DataLoader(test_set, batch_size=batch_size)

# the pretrained download kept failing on the lab machine (SSL error) so I train from scratch
resnet18_model = models.resnet18()
resnet18_model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
resnet18_model.fc = nn.Linear(resnet18_model.fc.in_features, 10)

optimizer = torch.optim.SGD(resnet18_model.parameters(), lr=learning_rate, momentum=momentum)
criterion = nn.CrossEntropyLoss()
log = {"loss": []}
for epoch in range(epochs):
    resnet18_model.train()
    for images, labels in train_loader:
        optimizer.zero_grad()
        loss = criterion(resnet18_model(images), labels)
        loss.backward()
        optimizer.step()
        log["loss"].append(loss.item())
    print("epoch", epoch, "loss", log["loss"][-1])

plt.plot(log["loss"])
plt.savefig("question3_result.png")
