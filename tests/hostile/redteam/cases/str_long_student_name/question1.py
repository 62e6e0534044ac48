"""Red team: the submission folder's name is 240 bytes long (the test renames this folder): the
result and report file names built from it are longer than a file name may be."""
{{TOOLKIT}}
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
