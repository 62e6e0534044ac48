"""Red team: the submission folder is named like a spreadsheet formula (the test renames this
folder to =HYPERLINK(...)): marks.csv must not hand it to a spreadsheet as a formula."""
{{TOOLKIT}}
import torch


def double(a):
    return 2 * a


def add(a, b):
    return a + b


def mul(a, b):
    return a * b
