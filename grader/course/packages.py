"""The packages a course provides, inside the child: stand-ins for plotting-only ones, a clear
message for the rest.

The parent writes ``COURSE_FILE`` into the working copy (from the rubric's ``packages:``). Here:

* a package declared ``stub: true`` (seaborn, say) is replaced by a module whose every function
  does nothing, so a plot call never costs a student marks or needs the package installed;
  ``google.colab`` (``drive.mount(...)``, ``files.download(...)``) is always such a stand-in;
* importing, from the student's own files, a top-level package that is not installed raises
  ``ModuleNotFoundError`` with a message naming it and listing what the course provides, instead
  of Python's bare "No module named ..." (libraries probing for optional packages are not affected).
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types

COURSE_FILE = ".grader-course.json"
ALWAYS_PROVIDED = ("torch", "torchvision", "numpy", "pandas", "matplotlib")


class Nothing:
    """Any object of a stand-in package: calling it, its attributes and its items give more of it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> "Nothing":
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Nothing(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs) -> "Nothing":
        return Nothing(f"{self._name}()")

    def __getitem__(self, key) -> "Nothing":
        return Nothing(f"{self._name}[...]")

    def __iter__(self):
        return iter(())

    def __enter__(self) -> "Nothing":
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{self._name}: a stand-in that does nothing while grading>"


class StubModule(types.ModuleType):
    """A stand-in module: every public name is a :class:`Nothing`."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Nothing(f"{self.__name__}.{attr}")


class _StubLoader(importlib.abc.Loader):
    def __init__(self, announced: set[str]) -> None:
        self.announced = announced

    def create_module(self, spec) -> StubModule:
        module = StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module) -> None:
        top = module.__name__.split(".")[0]
        if top not in self.announced and module.__name__ != "google":
            self.announced.add(top)
            print(f"[grader] {module.__name__} is a stand-in while grading: its functions do nothing",
                  file=sys.stderr)


class StubFinder(importlib.abc.MetaPathFinder):
    """Finds stand-ins for ``names`` (and their submodules), and for ``google.colab``."""

    def __init__(self, names: list[str]) -> None:
        self.names, self.loader = set(names), _StubLoader(set())

    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".")[0]
        colab = fullname == "google.colab" or fullname.startswith("google.colab.")
        bare_google = fullname == "google" and importlib.machinery.PathFinder.find_spec("google") is None
        if top in self.names or colab or bare_google:
            return importlib.util.spec_from_loader(fullname, self.loader, is_package=True)
        return None


def _from_student(workdir: str) -> bool:
    """Whether the import under way was written in a file of the working copy."""
    frame = sys._getframe(2)
    while frame and frame.f_code.co_filename.startswith("<frozen importlib"):
        frame = frame.f_back
    return bool(frame) and frame.f_code.co_filename.startswith(workdir + os.sep)


class MissingPackage(importlib.abc.MetaPathFinder):
    """Last on ``sys.meta_path``: a student's import of a package nothing else found gets a clear message."""

    def __init__(self, workdir: str, provided: list[str]) -> None:
        self.workdir, self.provided = workdir, provided

    def find_spec(self, fullname, path, target=None):
        if path is not None or not _from_student(self.workdir):
            return None
        raise ModuleNotFoundError(
            f"No module named '{fullname}': the course does not provide the package `{fullname}` while grading "
            f"(it provides {', '.join(self.provided)} and Python's standard library); remove the import or ask "
            f"the instructor to allow it", name=fullname)


def install(workdir: str) -> None:
    """Read the course's packages from ``workdir`` (the parent wrote them) and install the finders."""
    path = os.path.join(workdir, COURSE_FILE)
    course: dict = {}
    if os.path.isfile(path):
        try:
            with open(path, encoding="utf-8") as handle:
                course = json.load(handle)
            os.remove(path)
        except (OSError, ValueError):
            course = {}
    stubs = [n for n in course.get("stubs", []) if isinstance(n, str)]
    provided = [*ALWAYS_PROVIDED, *(n for n in course.get("provided", []) if isinstance(n, str))]
    sys.meta_path.insert(0, StubFinder(stubs))
    sys.meta_path.append(MissingPackage(os.path.abspath(workdir), provided))
