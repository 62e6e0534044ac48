"""Reference solution, comp4901y-hw1 question 1: tensor operations written with torch.einsum."""
import torch


def element_wise_multiplication(a, b):
    """c[i, j, k, l] = a[i, j, k, l] * b[i, j, k, l]."""
    return torch.einsum("ijkl,ijkl->ijkl", a, b)


def batch_transposed_matrix_multiplication(a, b):
    """a: d1 x d2 x d3 x d4, b: d5 x d4 -> d1 x d2 x d3 x d5 (a @ b.T over the last axis)."""
    return torch.einsum("ijkl,ml->ijkm", a, b)


def aggregate_4d_tensor_through_3rd_dim(a):
    """Sum over the third dimension: d1 x d2 x d3 x d4 -> d1 x d2 x d4."""
    return torch.einsum("ijkl->ijl", a)
