import torch

# Problem 1.1
def lorentzian_derivative(x=2.0):
    x = torch.tensor(x, requires_grad=True)
    f = 2 / ((5 - x) ** 2 + 4)
    f.backward()
    return x.grad

print("1.1", lorentzian_derivative())

# Problem 1.2
def sigmoid(x):
    return 1 / (1 + torch.exp(-x))

def sigmoid_derivative(x):
    s = sigmoid(x)
    return s * (1 - s)

# Problem 1.3
def vector_function_gradients(x=1.376, y=2.123):
    # f1 = x^2 + y^2, f2 = 2 x^2 y^2, derivatives by hand
    return [[2 * x, 2 * y], [4 * x * y ** 2, 4 * x ** 2 * y]]

print("1.3", vector_function_gradients())

# Problem 1.4
# d/dA tr(AA) = 2A
def trace_square_grad(A):
    return 2 * A

# Problem 1.5
def sigmoid_first_second(x=0.173):
    s = sigmoid(torch.tensor(x))
    first = s * (1 - s)
    second = first * (1 - 2 * s)
    return first.item(), second.item()

print("1.5", sigmoid_first_second())
