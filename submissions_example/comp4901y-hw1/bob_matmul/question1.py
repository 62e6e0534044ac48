import torch


def element_wise_multiplication(a, b):
    # same result as einsum, just simpler
    return a * b


def batch_transposed_matrix_multiplication(a, b):
    return torch.matmul(a, b.permute(1, 0))


def aggregate_4d_tensor_through_3rd_dim(a):
    return a.sum(dim=2)
