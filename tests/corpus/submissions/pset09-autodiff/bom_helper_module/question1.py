# Problem Set 09 – Problem 1 (Intro to AutoDiff)
import torch
from autodiff_utils import as_leaf, sigma


def lorentzian_derivative(x=2.0):
    x = as_leaf(x)
    f = 2 / ((5 - x) ** 2 + 2 ** 2)
    (df,) = torch.autograd.grad(f, x)
    return df.item()


def sigmoid(x):
    return sigma(x)


def sigmoid_derivative(x):
    x = as_leaf(x)
    torch.autograd.backward(sigmoid(x), torch.ones_like(x))
    return x.grad


def vector_function_gradients(x=1.376, y=2.123):
    x, y = as_leaf(x), as_leaf(y)
    f1 = x ** 2 + y ** 2
    f2 = 2 * x ** 2 * y ** 2
    g1 = torch.autograd.grad(f1, [x, y])
    g2 = torch.autograd.grad(f2, [x, y])
    return torch.tensor([[g1[0], g1[1]], [g2[0], g2[1]]])


def trace_square_grad(A):
    A = as_leaf(A)
    torch.trace(A @ A).backward()
    return A.grad


def sigmoid_first_second(x=0.173):
    x = as_leaf(x)
    d1 = torch.autograd.grad(sigmoid(x), x, create_graph=True)[0]
    d2 = torch.autograd.grad(d1, x)[0]
    return d1.item(), d2.item()


if __name__ == "__main__":
    print(lorentzian_derivative(), vector_function_gradients(), sigmoid_first_second())
