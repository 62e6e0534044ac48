import torch

def element_wise_multiplication(a, b):
    return torch.einsum('...,...->...', a, b)

def batch_transposed_matrix_multiplication(a, b):
    return torch.einsum('...ij,kj->...ik', a, b)

def aggregate_4d_tensor_through_3rd_dim(a):
    return torch.einsum('abcd->abd', a)
