"""Hostile case: writes submission."""
import torch


def double(a):
    return 2 * a


open('{{SUBMISSIONS}}/forges_own_result/question1.py', 'a').write('# tampered')

def add(a, b):
    return a + b
