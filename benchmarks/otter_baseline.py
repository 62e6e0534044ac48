"""otter-grader's non-containerised ``otter run`` on notebooks equivalent to question 1.

Each submission's ``question1.py`` becomes a one-cell notebook; an OK-format test checks the
three functions on random shapes (size-1 and odd sizes) against einsum, as the rubric does.
"""
from __future__ import annotations

import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from memory import PeakSampler

TEST = r'''OK_FORMAT = True
test = {"name": "q1", "points": 15, "suites": [{"type": "doctest", "scored": True, "setup": "", "teardown": "",
 "cases": [{"hidden": False, "locked": False, "points": 5, "code": """
>>> import torch
>>> ok = True
>>> for d in [(1, 4, 2, 5), (3, 1, 7, 1), (2, 5, 3, 6), (1, 1, 1, 1), (3, 4, 7, 5)]:
...     a, b = torch.randn(*d), torch.randn(*d)
...     ok = ok and torch.allclose(element_wise_multiplication(a, b), torch.einsum('ijkl,ijkl->ijkl', a, b))
>>> ok
True
"""}, {"hidden": False, "locked": False, "points": 5, "code": """
>>> import torch
>>> ok = True
>>> for d, e in [((1, 3, 5, 7), 2), ((3, 1, 6, 1), 9), ((2, 4, 1, 8), 3), ((1, 1, 1, 1), 2), ((3, 3, 5, 7), 9)]:
...     a, b = torch.randn(*d), torch.randn(e, d[3])
...     out = batch_transposed_matrix_multiplication(a, b)
...     ok = ok and out.shape == (*d[:3], e) and torch.allclose(out, torch.einsum('ijkl,ml->ijkm', a, b), atol=1e-5)
>>> ok
True
"""}, {"hidden": False, "locked": False, "points": 5, "code": """
>>> import torch
>>> ok = True
>>> for d in [(1, 2, 1, 3), (3, 5, 4, 5), (2, 3, 7, 6), (1, 1, 1, 1), (3, 2, 4, 3)]:
...     a = torch.randn(*d)
...     out = aggregate_4d_tensor_through_3rd_dim(a)
...     ok = ok and out.shape == (d[0], d[1], d[3]) and torch.allclose(out, a.sum(2), atol=1e-5)
>>> ok
True
"""}]}]}
'''


def _notebook(source: str) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                            "language": "python"}},
            "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                       "source": source, "id": "q1"}]}


def build_autograder(venv: Path, work: Path) -> Path:
    """``otter generate`` an autograder zip holding the question 1 test."""
    (work / "tests").mkdir(parents=True, exist_ok=True)
    (work / "tests" / "q1.py").write_text(TEST)
    subprocess.run([str(venv / "bin" / "otter"), "generate", "-t", "tests", "-o", "autograder.zip",
                    "--no-requirements", "--no-environment", "--no-config"], cwd=work, check=True, capture_output=True)
    return work / "autograder.zip"


def otter_batch(venv: Path, submissions: list[Path], work: Path, jobs: int) -> dict:
    """Time ``otter run`` over the submissions' question 1 with ``jobs`` at once."""
    zip_path = build_autograder(venv, work)

    def one(folder: Path) -> float:
        target = work / folder.name
        target.mkdir()
        source = (folder / "question1.py").read_text() if (folder / "question1.py").exists() else ""
        notebook = target / "submission.ipynb"
        notebook.write_text(json.dumps(_notebook(source)))
        subprocess.run([str(venv / "bin" / "otter"), "run", "-a", str(zip_path), "-o", str(target), "--no-logo",
                        str(notebook)], cwd=target, capture_output=True, env={"PATH": f"{venv}/bin:/usr/bin:/bin"})
        results = target / "results.json"
        if not results.exists():
            return -1.0
        return sum(t.get("score", 0) for t in json.loads(results.read_text()).get("tests", []))

    started = time.perf_counter()
    with PeakSampler(__import__("os").getpid()) as sampler, ThreadPoolExecutor(jobs) as pool:
        scores = list(pool.map(one, submissions))
    return {"seconds": time.perf_counter() - started, "peak_mib": sampler.peak_mib, "scores": scores,
            "files": len(submissions)}
