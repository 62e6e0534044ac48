"""COMP4901Y Homework 1, question 1: tensor operations in Einstein notation.

Write each function with a single call to torch.einsum.
"""
import torch


def element_wise_multiplication(a, b):
    """a, b: d1 x d2 x d3 x d4 -> their element-wise product, d1 x d2 x d3 x d4."""
    raise NotImplementedError("write element_wise_multiplication with torch.einsum")


def batch_transposed_matrix_multiplication(a, b):
    """a: d1 x d2 x d3 x d4, b: d5 x d4 -> a times b transposed, d1 x d2 x d3 x d5."""
    raise NotImplementedError("write batch_transposed_matrix_multiplication with torch.einsum")


def aggregate_4d_tensor_through_3rd_dim(a):
    """a: d1 x d2 x d3 x d4 -> the sum over the third dimension, d1 x d2 x d4."""
    raise NotImplementedError("write aggregate_4d_tensor_through_3rd_dim with torch.einsum")
