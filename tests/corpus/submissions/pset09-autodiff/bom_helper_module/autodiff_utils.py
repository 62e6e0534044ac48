"""small helpers I use in both problems"""
import torch


def as_leaf(x):
    """turn a python number or a tensor into a float tensor that tracks gradients"""
    return torch.as_tensor(x, dtype=torch.float32).detach().clone().requires_grad_(True)


def sigma(x):
    return torch.sigmoid(x)
