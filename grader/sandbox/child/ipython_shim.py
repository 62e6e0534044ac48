"""A tiny ``get_ipython()`` for the child, so notebook code and converted scripts run without IPython.

Notebook cells (converted in the parent) and ``jupyter nbconvert --to script`` files call
``get_ipython().system(...)``, ``.run_line_magic(...)`` and ``.run_cell_magic(...)``. Grading runs
no shell and has no kernel, so shell escapes and most magics do nothing and say so on stderr;
``%matplotlib`` is silent (plots already go to Agg); ``%time``/``%timeit`` and their cell forms
run their code; ``%%writefile`` writes its file in the working copy.
"""
from __future__ import annotations

import builtins
import re
import sys

RUN_CODE = frozenset({"time", "timeit", "capture", "prun"})
SILENT = frozenset({"matplotlib", "config", "load_ext", "autoreload", "reload_ext", "precision"})


def _note(text: str) -> None:
    print(f"[grader] {text}", file=sys.stderr)


def _caller_globals() -> dict:
    return sys._getframe(2).f_globals


def _timed_statement(line: str) -> str:
    """The statement of a ``%timeit``/``%time`` line, without its options (``-n 10 -r 3``)."""
    return re.sub(r"^\s*(?:-[nrp]\s*\d+\s+|-[a-zA-Z]\s+)*", "", line)


class Shell:
    """The few ``InteractiveShell`` methods that converted notebook code calls."""

    def system(self, command: str) -> None:
        """``!command``: not run."""
        _note(f"skipped the shell command `!{command}`: grading runs no shell commands")

    def getoutput(self, command: str, split: bool = True) -> list[str]:
        """``x = !command``: not run; an empty list."""
        _note(f"skipped the shell command `!{command}`: grading runs no shell commands (its output is empty)")
        return []

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1):
        """``%name line``: ``%time``-like magics run the statement, the rest do nothing."""
        name = name.lstrip("%")
        if name in RUN_CODE and line.strip():
            exec(compile(_timed_statement(line), "<magic>", "exec"), _caller_globals())
        elif name not in SILENT:
            _note(f"skipped the magic `%{name} {line}`: magics do nothing while grading")
        return None

    def run_cell_magic(self, name: str, line: str, cell: str):
        """``%%name``: ``%%time``-like magics run the cell, ``%%writefile`` writes it, the rest are skipped."""
        if name in RUN_CODE:
            exec(compile(cell, "<cell magic>", "exec"), _caller_globals())
        elif name in ("writefile", "file"):
            words = line.split()
            append = "-a" in words or "--append" in words
            target = next((w for w in words if not w.startswith("-")), None)
            if target:
                with open(target, "a" if append else "w", encoding="utf-8") as handle:
                    handle.write(cell)
        else:
            _note(f"skipped a cell run by the magic `%%{name}`: only %%time, %%timeit, %%capture and "
                  f"%%writefile cells are run while grading")
        return None

    def magic(self, line: str):
        """The old ``get_ipython().magic('name args')`` spelling."""
        name, _, rest = line.lstrip("%").partition(" ")
        return self.run_line_magic(name, rest)

    def __getattr__(self, name: str):
        def nothing(*args, **kwargs):
            _note(f"get_ipython().{name}(...) does nothing while grading")

        return nothing


_SHELL = Shell()


def get_ipython() -> Shell:
    """The grader's stand-in for IPython's running shell."""
    return _SHELL


def install() -> None:
    """Make ``get_ipython`` a builtin, as IPython does in a kernel."""
    builtins.get_ipython = get_ipython
