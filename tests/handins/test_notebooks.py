"""Notebooks and converted scripts read as Python in the parent: cells, IPython syntax, line numbers."""
from __future__ import annotations

import ast
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.checks.base import Evidence, PlanContext
from grader.checks.source import Spec, score
from grader.handins.notebooks import NotebookError, convert_script, read_notebook, read_python, to_python, top_level_names
from grader.observe import FileObservations, ImportInfo
from grader.rubric import Question


def write_notebook(path, *cells):
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


def test_shell_escapes_and_line_magics_become_calls_on_their_own_lines():
    python = to_python("%matplotlib inline\nimport torch\n!pip install seaborn\nfiles = !ls\nx = 1")
    assert python.splitlines() == ["get_ipython().run_line_magic('matplotlib', 'inline')", "import torch",
                                   "get_ipython().system('pip install seaborn')",
                                   "files = get_ipython().getoutput('ls')", "x = 1"]


def test_a_continued_shell_line_keeps_the_lines_below_in_place():
    python = to_python("!wget https://example.org/a \\\n   -O a.csv\ny = 2\nz = 3")
    assert python.splitlines()[2:] == ["y = 2", "z = 3"]
    assert python.splitlines()[1] == ""


def test_time_cell_magic_runs_its_body_at_its_own_lines():
    python = to_python("%%time\nx = 1\n!ls\ny = x + 1")
    assert python.splitlines() == ["", "x = 1", "get_ipython().system('ls')", "y = x + 1"]


def test_other_cell_magics_stay_calls_for_the_child_to_skip_or_write():
    python = to_python("%%writefile helpers.py\ndef f():\n    return 1\n")
    assert python.startswith("get_ipython().run_cell_magic('writefile', 'helpers.py', ")
    assert len(python.splitlines()) == 3


def test_cells_in_order_with_skips_noted_and_cells_counted_from_the_top(tmp_path):
    path = write_notebook(tmp_path / "lab.ipynb",
                          new_markdown_cell("# Lab 2"),
                          new_code_cell("import torch\n%matplotlib inline"),
                          new_code_cell("while True: pass", metadata={"tags": ["skip-execution"]}),
                          new_code_cell("answer = 42", metadata={"tags": ["otter_ignore"]}),
                          new_code_cell("x = (\n"),
                          new_code_cell("slow = 1", metadata={"tags": ["no-grade"]}),
                          new_code_cell("def f(a):\n    return a + 1"))
    converted = read_notebook(path, ("skip-execution", "otter_ignore", "no-grade"))
    assert [(c.number, c.runs) for c in converted.cells] == [(2, True), (3, False), (4, False), (5, False),
                                                             (6, False), (7, True)]
    assert converted.cells[1].note == "cell 3 skipped: it is tagged skip-execution"
    assert converted.cells[3].note.startswith("cell 5 skipped: it does not parse (line 1")
    source, where = converted.combined()
    assert where[source.splitlines().index("def f(a):")] == (7, 1)


def test_colab_notebook_with_bom_and_outputs_is_read(tmp_path):
    notebook = {"nbformat": 4, "nbformat_minor": 0, "metadata": {"colab": {"provenance": []}},
                "cells": [{"cell_type": "code", "execution_count": 3, "metadata": {"id": "abc"},
                           "outputs": [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}],
                           "source": ["from google.colab import drive\n", "drive.mount('/content/drive')"]}]}
    path = tmp_path / "Copy_of_Lab2.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(notebook).encode())
    assert read_notebook(path).cells[0].source.startswith("from google.colab import drive\n")


def test_a_file_that_is_not_a_notebook_says_so(tmp_path):
    (tmp_path / "lab.ipynb").write_text("{not json")
    with pytest.raises(NotebookError, match="lab.ipynb is not a notebook Jupyter can open"):
        read_notebook(tmp_path / "lab.ipynb")


def test_nbconvert_script_with_a_raw_shell_line_is_converted():
    script = (b"#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\nget_ipython().run_line_magic('matplotlib', "
              b"'inline')\n!ldconfig\nimport torch\n\n# In[2]:\n\n\nx = torch.ones(2)\n")
    python = convert_script(script)
    assert python is not None and "get_ipython().system('ldconfig')" in python
    assert python.splitlines()[8] == "import torch"  # line 9 stays line 9
    assert convert_script(b"x = 1\r\n") is None  # plain Python (CRLF too) is imported as it is


def test_a_latin1_comment_is_read_as_text():
    python = convert_script("# -*- coding: utf-8 -*-\n# écrit par moi\nx = 1\n".encode("latin-1"))
    assert python is not None and "écrit" in python and ast.parse(python)
    with_bom = convert_script(b"\xef\xbb\xbf# donn\xe9es\r\nx = 1\r\n")  # Notepad's BOM over Windows-1252 text
    assert with_bom == "# données\nx = 1\n"


def test_source_findings_point_at_cell_and_line(tmp_path):
    write_notebook(tmp_path / "lab2.ipynb", new_markdown_cell("intro"), new_code_cell("import torch"),
                   new_code_cell("def backward(loss):\n    loss.backward()\n    return 1"))
    spec = Spec(id="no_autograd", kind="source", points=1, forbid=[{"method": "backward", "max_args": 0}])
    evidence = Evidence(student=FileObservations(module_file="lab2.ipynb", imported=ImportInfo(status="ok")),
                        reference=None, submission_dir=tmp_path, ctx=PlanContext(seed=0, question="q"))
    verdict = score(spec, evidence)
    assert verdict.fraction == 0 and verdict.message.startswith("cell 3, line 2: .backward() is not allowed")


def test_read_python_names_script_lines_plainly(tmp_path):
    (tmp_path / "q.py").write_bytes(b"!pip install x\ny = 1\n")
    source, where = read_python(tmp_path / "q.py")
    assert ast.parse(source) and where(2) == "line 2"


def test_alternatives_take_globs_and_the_notebook_defining_the_names_is_chosen(tmp_path):
    from grader.assignments import Assignment
    from grader.plan import GradingPlan
    from grader.rubric import Rubric

    write_notebook(tmp_path / "Part1.ipynb", new_code_cell("def gd_factorise_ad(A, rank):\n    return A, A"))
    write_notebook(tmp_path / "part2.IPYNB", new_code_cell("W1 = W2 = b1 = b2 = 0"))
    question = Question(id="question2", alternatives=["lab2.py", "*.ipynb"],
                        checks=[{"id": "w", "kind": "value", "read": "W1", "points": 1}])
    assert question.candidates(tmp_path) == ["Part1.ipynb", "part2.IPYNB"]
    assert top_level_names(tmp_path / "part2.IPYNB") >= {"W1", "b2"}
    assignment = Assignment("a", Rubric(assignment="a", questions=[question]), tmp_path / "a.yaml", tmp_path)
    plan = GradingPlan.build(assignment)
    assert plan.chosen_file(plan.questions["question2"], tmp_path) == "part2.IPYNB"
    (tmp_path / "question2.py").write_text("W1 = 1\n")
    assert plan.chosen_file(plan.questions["question2"], tmp_path) == "question2.py"  # the question's own file first
