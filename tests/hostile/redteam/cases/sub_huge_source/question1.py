"""Red team: a correct file that also holds a 6 MB list literal (the test appends
`TABLE = [0, 0, ...]`, three million zeros; well under the 64 MB disk limit). Parsing it costs
about 3 GB in whichever process parses it: the child may, the parent must not."""
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
