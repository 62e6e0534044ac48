#!/usr/bin/env python
# coding: utf-8

# In[1]:


get_ipython().system('pip install torch')


# In[2]:


import torch


# In[3]:


def element_wise_multiplication(a, b):
    return torch.einsum('ijkl,ijkl->ijkl', a, b)


def batch_transposed_matrix_multiplication(a, b):
    return torch.einsum('ijkl,ml->ijkm', a, b)


def aggregate_4d_tensor_through_3rd_dim(a):
    return torch.einsum('ijkl->ijl', a)


# In[4]:


a = torch.randn(2, 3, 4, 5)
b = torch.randn(2, 3, 4, 5)
print(torch.allclose(element_wise_multiplication(a, b), a * b))
print(batch_transposed_matrix_multiplication(a, torch.randn(6, 5)).shape)
print(aggregate_4d_tensor_through_3rd_dim(a).shape)


# In[ ]:




