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


def test_module_level_imports_leave_out_functions_and_the_main_block():
    assert module_level_imports(SOURCE) == ["torch", "numpy", "torch.utils.data", "seaborn", "pandas", "json",
                                            "colorsys"]
    assert module_level_imports(SOURCE, in_functions=True)[-2:] == ["matplotlib.pyplot", "colorsys"]


def test_a_file_that_does_not_parse_imports_nothing():
    assert module_level_imports("import torch\ndef broken(:\n") == []


def test_each_shipped_course_preloads_what_its_files_import_and_not_its_own_modules():
    imports = {name: course_imports(GradingPlan.build(find_assignment(name)))
               for name in ("comp4901y-hw1", "mlg-tutorial3", "soton-lab2-autograd")}
    assert {"torch", "torchvision", "matplotlib.pyplot"} <= set(imports["comp4901y-hw1"])
    assert {"pandas", "matplotlib.pyplot"} <= set(imports["soton-lab2-autograd"])
    assert "tutorial" not in imports["mlg-tutorial3"]  # the course's own helper module, not an installed one
    assert not any(name.startswith("question") for names in imports.values() for name in names)


def test_what_a_tenth_of_the_students_import_is_preloaded_if_it_is_a_known_package(tmp_path):
    """Students' names reach the fork server, outside the sandbox, only from the list of known packages; their
    own helper modules (even one called pandas) never count."""
    from grader.course.preloads import common_imports, graded_files, handed_in_files

    plan = GradingPlan.build(find_assignment("comp4901y-hw1"))
    folders = []
    for i in range(20):
        folder = tmp_path / f"student{i:02d}"
        folder.mkdir()
        lines = ["import torch", "import helpers", "import antigravity, colorsys"] + \
            (["import sklearn"] if i < 2 else []) + (["import matplotlib"] if i == 0 else []) + \
            (["import pandas"] if i < 5 else []) + (["def f():", "    import scipy"] if i < 10 else [])
        (folder / "question1.py").write_text("\n".join(lines) + "\n")
        (folder / "helpers.py").write_text("import math\n")
        if i < 5:
            (folder / "pandas.py").write_text("x = 1\n")
        folders.append(folder)
    found = common_imports(graded_files(plan, folders))
    assert found == ("sklearn",)  # 2 of 20 files: a tenth; matplotlib: one file; scipy: in a function
    assert common_imports(handed_in_files(tmp_path, plan.assignment.rubric_path)) == ("sklearn",)  # from the YAML
