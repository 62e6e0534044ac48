import torch

# I could not get einsum to work so I used normal torch ops (same result)


def element_wise_multiplication(a, b):
    return a * b


def batch_transposed_matrix_multiplication(a, b):
    return torch.matmul(a, b.T)


def aggregate_4d_tensor_through_3rd_dim(a):
    return torch.sum(a, dim=2)


if __name__ == "__main__":
    x = torch.ones(2, 3, 4, 5)
    print(element_wise_multiplication(x, x).shape)
    print(batch_transposed_matrix_multiplication(x, torch.ones(7, 5)).shape)
    print(aggregate_4d_tensor_through_3rd_dim(x).shape)
