import torch


def element_wise_multiplication(a, b):
    """a, b: d1 x d2 x d3 x d4 -> their element-wise product, d1 x d2 x d3 x d4."""
    return torch.einsum("abcd,abcd->abcd", a, b)


def batch_transposed_matrix_multiplication(a, b):
    """a: d1 x d2 x d3 x d4, b: d5 x d4 -> a times b transposed, d1 x d2 x d3 x d5."""
    return torch.einsum("abcd,ed->abce", a, b)


def aggregate_4d_tensor_through_3rd_dim(a):
    """a: d1 x d2 x d3 x d4 -> the sum over the third dimension, d1 x d2 x d4."""
    return torch.einsum("abcd->abd", a)
