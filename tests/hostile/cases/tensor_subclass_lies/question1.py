"""Hostile case: tensor subclass lies."""
import torch


def double(a):
    return 2 * a


class Liar(torch.Tensor):
    @property
    def shape(self):
        return torch.Size([2, 3])

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return super().__torch_function__(func, types, args, kwargs or {})


def add(a, b):
    return torch.zeros(7).as_subclass(Liar)
