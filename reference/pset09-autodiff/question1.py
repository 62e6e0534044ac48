"""Reference solution, pset09-autodiff problem 1: derivatives with torch.autograd."""
import torch


def lorentzian_derivative(x=2.0):
    """1.1: f'(x) for f(x) = 2 / ((5 - x)^2 + 2^2)."""
    x = torch.as_tensor(x, dtype=torch.float32).detach().clone().requires_grad_(True)
    f = 2 / ((5.0 - x) ** 2 + 2**2)
    f.backward()
    return float(x.grad)


def sigmoid(x):
    """1.2: the logistic sigmoid 1 / (1 + exp(-x)), elementwise."""
    return 1 / (1 + torch.exp(-x))


def sigmoid_derivative(x):
    """1.2: d sigmoid / dx at every element of x (autograd of the sum)."""
    x = x.detach().clone().requires_grad_(True)
    sigmoid(x).sum().backward()
    return x.grad


def vector_function_gradients(x=1.376, y=2.123):
    """1.3: [[df1/dx, df1/dy], [df2/dx, df2/dy]] for f(x, y) = [x^2 + y^2, 2 x^2 y^2]."""
    x = torch.as_tensor(x, dtype=torch.float32).detach().clone().requires_grad_(True)
    y = torch.as_tensor(y, dtype=torch.float32).detach().clone().requires_grad_(True)
    f = [x**2 + y**2, 2 * x**2 * y**2]
    rows = [torch.stack(torch.autograd.grad(component, (x, y))) for component in f]
    return torch.stack(rows)


def trace_square_grad(A):
    """1.4: the gradient of trace(A @ A) with respect to A."""
    A = A.detach().clone().requires_grad_(True)
    torch.trace(A @ A).backward()
    return A.grad


def sigmoid_first_second(x=0.173):
    """1.5: the first and second derivatives of the sigmoid at x."""
    x = torch.as_tensor(x, dtype=torch.float32).detach().clone().requires_grad_(True)
    (first,) = torch.autograd.grad(sigmoid(x), x, create_graph=True)
    (second,) = torch.autograd.grad(first, x)
    return float(first), float(second)
