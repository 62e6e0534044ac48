import torch


def element_wise_multiplication(a, b):
    return torch.einsum('abcd,abcd->abcd', a, b)


def batch_transposed_matrix_multiplication(a, b):
    return torch.einsum('abcd,ed->abce', a, b)


def aggregate_4d_tensor_through_3rd_dim(a):
    return torch.einsum('abcd->abcd', a).sum(dim=2, keepdim=True)


if __name__ == "__main__":
    x = torch.randn(2, 3, 4, 5)
    print(element_wise_multiplication(x, x).shape)
