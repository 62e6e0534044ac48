import torch


def lorentzian_derivative(x=2.0):
    x = torch.tensor(float(x), dtype=torch.float64, requires_grad=True)
    y = 2.0 / ((5.0 - x) ** 2 + 2 ** 2)
    y.backward()
    return x.grad.item()


def sigmoid(x):
    return 1.0 / (1.0 + torch.exp(-x))


def sigmoid_derivative(x):
    x = x.clone().detach().requires_grad_(True)
    y = sigmoid(x)
    y.sum().backward()
    return x.grad


def vector_function_gradients(x=1.376, y=2.123):
    x = torch.tensor(float(x), requires_grad=True)
    y = torch.tensor(float(y), requires_grad=True)
    f1 = x ** 2 + y ** 2
    f2 = 2 * x ** 2 * y ** 2
    f1.backward(retain_graph=True)
    row1 = [x.grad.item(), y.grad.item()]
    x.grad.zero_()
    y.grad.zero_()
    f2.backward()
    row2 = [x.grad.item(), y.grad.item()]
    print(row1, row2)
    return torch.tensor([row1, row2])


def trace_square_grad(A):
    A = A.clone().detach().requires_grad_(True)
    f = torch.trace(A @ A)
    f.backward()
    return A.grad


def sigmoid_first_second(x=0.173):
    x = torch.tensor(float(x), requires_grad=True)
    y = sigmoid(x)
    y.backward(create_graph=True)
    y_prime = x.grad.clone()
    x.grad.zero_()
    y_prime.backward()
    return y_prime.item(), x.grad.item()


if __name__ == "__main__":
    print(lorentzian_derivative(), vector_function_gradients(), sigmoid_first_second())
