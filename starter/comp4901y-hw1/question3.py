"""COMP4901Y Homework 1, question 3: transfer learning from resnet18 to FashionMNIST.

Fill in the TODOs. Keep the names (resnet18_model, batch_size, learning_rate, momentum, epochs,
log): the grader reads them after running this script. Hand in this file and
question3_result.pdf (the plot it saves).
"""
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, models, transforms

# TODO: tune over batch_size in {16, 64}, learning_rate in {0.01, 0.03}, momentum in {0.0, 0.9};
# submit the best setting.
batch_size = 16
learning_rate = 0.01
momentum = 0.0
epochs = 2

transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
train_set = datasets.FashionMNIST(root="data", train=True, download=True, transform=transform)
test_set = datasets.FashionMNIST(root="data", train=False, download=True, transform=transform)
train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
test_loader = DataLoader(test_set, batch_size=batch_size)

resnet18_model = models.resnet18(weights="IMAGENET1K_V1")
# TODO: FashionMNIST images have 1 channel and 10 classes: replace the first and the last layer.

optimizer = torch.optim.SGD(resnet18_model.parameters(), lr=learning_rate, momentum=momentum)
criterion = nn.CrossEntropyLoss()
log = {"loss": []}
for epoch in range(epochs):
    resnet18_model.train()
    for images, labels in train_loader:
        # TODO: one SGD step on the batch; append the loss to log["loss"].
        pass

# TODO: plot log["loss"] and save it as question3_result.pdf.
