import torch


def element_wise_multiplication(a, b):
    return torch.einsum('ijkl,ijkl->ijkl', a, b)


def batch_transposed_matrix_multiplication(a, b):
    return torch.einsum('ijkl,nl->ijkn', a, b)


def aggregate_4d_tensor_through_3rd_dim(a):
    # sum over the 3rd dimension
    return torch.einsum('ijkl->ijk', a)
