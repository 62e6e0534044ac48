"""What the fork server imports for a course: the modules the course's own files import when they load."""
from __future__ import annotations

from grader.assignments import find_assignment
from grader.course.preloads import course_imports, module_level_imports
from grader.plan import GradingPlan

SOURCE = '''from __future__ import annotations
import torch, numpy as np
from torch.utils.data import DataLoader
from . import helpers
try:
    import seaborn
except ImportError:
    seaborn = None
if True:
    import pandas as pd
with open(__file__):
    import json


def plot():
    import matplotlib.pyplot as plt


class Model:
    import colorsys


if __name__ == "__main__":
    import argparse
'''


def test_module_level_imports_leave_out_functions_classes_and_the_main_block():
    assert module_level_imports(SOURCE) == ["torch", "numpy", "torch.utils.data", "seaborn", "pandas", "json"]


def test_a_file_that_does_not_parse_imports_nothing():
    assert module_level_imports("import torch\ndef broken(:\n") == []


def test_each_shipped_course_preloads_what_its_files_import_and_not_its_own_modules():
    imports = {name: course_imports(GradingPlan.build(find_assignment(name)))
               for name in ("comp4901y-hw1", "mlg-tutorial3", "soton-lab2-autograd")}
    assert {"torch", "torchvision", "matplotlib.pyplot"} <= set(imports["comp4901y-hw1"])
    assert {"pandas", "matplotlib.pyplot"} <= set(imports["soton-lab2-autograd"])
    assert "tutorial" not in imports["mlg-tutorial3"]  # the course's own helper module, not an installed one
    assert not any(name.startswith("question") for names in imports.values() for name in names)
