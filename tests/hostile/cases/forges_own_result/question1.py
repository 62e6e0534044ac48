"""Hostile case: forges own result."""
import torch


def double(a):
    return 2 * a


import json

with open('{{OUT}}/results/forges_own_result.json', 'w') as f:
    json.dump({'student': 'forges_own_result', 'total': 100}, f)

def add(a, b):
    return a + b
