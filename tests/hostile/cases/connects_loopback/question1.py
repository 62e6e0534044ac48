"""Hostile case: connects loopback."""
import torch


def double(a):
    return 2 * a


import socket


def add(a, b):
    socket.create_connection(('127.0.0.1', {{PORT}}), timeout=2).close()
    return a + b
