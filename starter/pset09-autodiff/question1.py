"""Problem Set 09, problem 1: derivatives with PyTorch's autograd.

Write each function with torch autograd (requires_grad=True, .backward() or torch.autograd.grad).
Arguments may be Python floats or tensors. Report the printed numbers in the Moodle quiz; run
`grade --local` to check the code first.
"""
import torch


def lorentzian_derivative(x=2.0):
    """1.1: f'(x) for f(x) = 2 / ((5 - x)^2 + 2^2). Return a number or a 0-d tensor."""
    raise NotImplementedError


def sigmoid(x):
    """1.2: the sigmoid 1 / (1 + exp(-x)) of every element of the tensor x."""
    raise NotImplementedError


def sigmoid_derivative(x):
    """1.2: d sigmoid(x) / dx at every element of the tensor x (hint: the sum of the outputs)."""
    raise NotImplementedError


def vector_function_gradients(x=1.376, y=2.123):
    """1.3: for f(x, y) = [x^2 + y^2, 2 x^2 y^2], the 2 x 2 tensor [[df1/dx, df1/dy], [df2/dx, df2/dy]]."""
    raise NotImplementedError


def trace_square_grad(A):
    """1.4: the gradient of trace(A @ A) with respect to the square matrix A (same shape as A)."""
    raise NotImplementedError


def sigmoid_first_second(x=0.173):
    """1.5: (f'(x), f''(x)) for the sigmoid f, both from autograd."""
    raise NotImplementedError


if __name__ == "__main__":
    print("1.1", lorentzian_derivative(2.0))
    print("1.3", vector_function_gradients(1.376, 2.123))
    print("1.4", trace_square_grad(torch.tensor([[1.0, 2.0], [3.0, 4.0]])))
    print("1.5", sigmoid_first_second(0.173))
