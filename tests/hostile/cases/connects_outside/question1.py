"""Hostile case: connects outside."""
import torch


def double(a):
    return 2 * a


import socket


def add(a, b):
    socket.create_connection(('93.184.216.34', 80), timeout=2).close()
    return a + b
