"""What the course's files and the students' files import, for the fork server to import once.

The fork server imports torch and the child's own modules before it says it is ready; everything
else a child needs it imports itself, which costs every child again (torchvision: ~2 s, pandas
and matplotlib: ~0.5 s each). Two sources say what a batch will need:

* the course: the reference's and the starter's graded files, the course files and the course's
  drivers; every module they import anywhere (a plotting helper's ``import matplotlib.pyplot``
  included) but under ``if __name__ == "__main__":``;
* the students: a module that at least a tenth of the submissions (up to 40, spread over the
  batch) import at module level in a graded file, where every one of those children would import
  it. Students choose these names and the fork server runs outside the sandbox, so only the
  well-known packages of ``STUDENT_PRELOADABLE`` are taken from them (an import can run code:
  ``import antigravity`` opens a browser).

The fork server imports these once, so that a child importing the same ones finds them loaded.
"""
from __future__ import annotations

import ast
import importlib.util
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from grader.handins.notebooks import DEFAULT_SKIP_TAGS, NotebookError, read_python

if TYPE_CHECKING:  # the grade script reads the students' imports before torch is imported
    from grader.plan import GradingPlan

SAMPLED = 40  # submissions read for their imports
SHARE = 0.1  # of the files read, the share that must import a module for it to be preloaded
STUDENT_PRELOADABLE = frozenset({
    "numpy", "pandas", "scipy", "scipy.stats", "sklearn", "sklearn.metrics", "sklearn.model_selection",
    "sklearn.datasets", "seaborn", "matplotlib", "matplotlib.pyplot", "tqdm", "tqdm.auto", "PIL", "PIL.Image",
    "torchvision", "torchvision.transforms", "torchvision.datasets", "torchvision.models", "torch.nn",
    "torch.nn.functional", "torch.optim", "torch.utils.data", "torch.func",
})


def course_imports(plan: GradingPlan) -> tuple[str, ...]:
    """The installed modules that the course's files import (but in their ``__main__`` block), in the order first
    seen."""
    a = plan.assignment
    folders = [folder for folder in (a.reference_dir, a.starter_dir) if folder.is_dir()]
    files = [folder / name for folder in folders for qplan in plan for name in qplan.question.candidates(folder)]
    files += list(plan.course.files.values()) + ([plan.course.drivers] if plan.course.drivers else [])
    local = {path.stem for folder in folders for path in folder.iterdir()} | {p.stem for p in files}
    found: dict[str, None] = {}
    for path in files:
        if path.suffix == ".py" and path.is_file():
            found.update(dict.fromkeys(module_level_imports(path.read_text(errors="replace"), in_functions=True)))
    return tuple(name for name in found if name.split(".")[0] not in local and _installed(name.split(".")[0]))


def sampled(folders: list[Path]) -> list[Path]:
    """Up to ``SAMPLED`` of ``folders``, spread over the list."""
    return folders[::max(1, len(folders) // SAMPLED)][:SAMPLED]


def graded_files(plan: GradingPlan, folders: list[Path]) -> list[Path]:
    """The file each question grades, in a sample of the submission ``folders``."""
    return [folder / qplan.question.file_in(folder) for folder in sampled(folders) for qplan in plan]


def handed_in_files(submissions: Path, rubric: Path) -> list[Path]:
    """The files the rubric may grade (``file``, ``alternatives``) at the top of a sample of the student folders
    in ``submissions``: what the fork server reads for a first guess, while the grader is still importing the
    modules that read and check the rubric (only its YAML is read here)."""
    import fnmatch

    import yaml

    try:
        questions = yaml.safe_load(rubric.read_text())["questions"]
        patterns = [str(p).lower() for q in questions for p in [q.get("file") or f"{q['id']}.py",
                                                                 *q.get("alternatives", [])]]
        folders = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
        return [path for folder in sampled(folders) for path in sorted(folder.iterdir())
                if any(fnmatch.fnmatchcase(path.name.lower(), pattern) for pattern in patterns)]
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return []


def students_imports(plan: GradingPlan, folders: list[Path]) -> tuple[str, ...]:
    """The known packages that many of the graded files of ``folders`` import (``common_imports``)."""
    return common_imports(graded_files(plan, folders), plan.skip_tags)


def batch_imports(plan: GradingPlan, folders: list[Path]) -> tuple[str, ...]:
    """Everything a batch of ``folders`` has the fork server import: the course's imports, then the students'."""
    return tuple(dict.fromkeys(course_imports(plan) + students_imports(plan, folders)))


def preload_students_later(launcher: object, plan: GradingPlan, folders: list[Path]) -> None:
    """The students' common imports read in a thread (their files: ~0.1 s for 40 submissions) and handed to the
    fork server when known, while the batch starts; the fork server started by the ``grade`` script has usually
    imported them already, from its own reading. Nothing for a launcher without a fork server."""
    add = getattr(launcher, "add_preload", None)
    if add is not None:
        threading.Thread(target=lambda: add(students_imports(plan, folders)), name="students-imports",
                         daemon=True).start()


def common_imports(files: list[Path], skip_tags: tuple[str, ...] = DEFAULT_SKIP_TAGS) -> tuple[str, ...]:
    """The modules of ``STUDENT_PRELOADABLE`` imported at module level in at least ``SHARE`` (and two) of the
    submissions that ``files`` come from (a submission counts a module once, in whichever of its files), most
    common first."""
    per_folder: dict[Path, set[str]] = {}
    for path in files:
        if not path.is_file() or path.is_symlink():
            continue
        try:
            source, _ = read_python(path, skip_tags)
        except (NotebookError, OSError, ValueError):
            continue
        local = {p.stem for p in path.parent.iterdir()}  # a student's own pandas.py is not pandas
        per_folder.setdefault(path.parent, set()).update(
            name for name in module_level_imports(source)
            if name in STUDENT_PRELOADABLE and name.split(".")[0] not in local)
    counts = Counter(name for names in per_folder.values() for name in names)
    wanted = max(2, SHARE * len(per_folder))
    return tuple(name for name, count in counts.most_common() if count >= wanted and _installed(name.split(".")[0]))


def module_level_imports(source: str, in_functions: bool = False) -> list[str]:
    """The absolute module names a file imports when it is loaded (blocks of ``if``, ``try``, ``with``, loops and
    class bodies included; the ``__main__`` block left out; function bodies only with ``in_functions``)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module and node.module != "__future__":
            names.append(node.module)
        elif isinstance(node, ast.If) and not _is_main_guard(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, (ast.Try, ast.With)):
            pending += node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
            pending += [stmt for handler in getattr(node, "handlers", []) for stmt in handler.body]
        elif isinstance(node, (ast.ClassDef, ast.For, ast.While)):  # their bodies run when the module loads
            pending += node.body + getattr(node, "orelse", [])
        elif in_functions and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            pending += node.body
    return names


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _installed(top: str) -> bool:
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False
