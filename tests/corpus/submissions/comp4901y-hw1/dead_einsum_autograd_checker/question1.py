import torch

USE_EINSUM = False   # einsum gave me wrong shapes, keep the plain version for now


def element_wise_multiplication(a, b):
    if USE_EINSUM:
        return torch.einsum('ijkl,ijkl->ijkl', a, b)
    return a * b


def batch_transposed_matrix_multiplication(a, b):
    if USE_EINSUM:
        return torch.einsum('ijkl,ml->ijkm', a, b)
    return a @ b.transpose(0, 1)


def aggregate_4d_tensor_through_3rd_dim(a):
    if USE_EINSUM:
        return torch.einsum('ijkl->ijl', a)
    return a.sum(dim=2)
