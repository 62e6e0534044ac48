"""Notebooks and converted scripts as plain Python, in the trusted parent (text only, nothing runs).

A notebook (``.ipynb``, read with nbformat) becomes its code cells in order. Each cell's IPython
syntax (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``) is turned into ``get_ipython()`` calls by
IPython's own ``TransformerManager``, and padded so that line n of the Python is line n of the
cell: tracebacks and source findings can say "cell 7, line 3". ``%%time``-style cell magics keep
their body as the cell; other cell magics stay ``run_cell_magic`` calls (the child's shim writes
``%%writefile`` files and skips the rest with a note). Cells tagged ``skip-execution`` or
``otter_ignore`` (or a rubric's own tags) and cells that do not parse are skipped with a note.

A ``.py`` file that does not parse (``jupyter nbconvert --to script`` output keeps a raw
``!ldconfig``; a comment in Latin-1) is converted the same way when that makes it parse.
"""
from __future__ import annotations

import ast
import codecs
import functools
import os
import stat
import difflib
import io
import re
import threading
import tokenize
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

DEFAULT_SKIP_TAGS = ("skip-execution", "otter_ignore")
BODY_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
MAX_NOTEBOOK_BYTES = 50_000_000
MAX_SCRIPT_BYTES = 1_000_000  # parsing a script costs the parent ~400x its size in memory
_TRANSFORMING = threading.Lock()  # batches grade in threads; one TransformerManager serves them in turn


class NotebookError(Exception):
    """A file that cannot be read as a notebook; the message says why."""


def read_student_bytes(path: Path, limit: int) -> bytes:
    """A student's file, read by the parent: never through a symbolic link, never a FIFO or device,
    never more than ``limit`` bytes (NotebookError says which)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise NotebookError(f"{path.name} is a link or cannot be read ({exc.strerror}); links are not followed") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise NotebookError(f"{path.name} is larger than {limit:,} bytes and was not read")
        return handle.read(limit + 1)[:limit]


@dataclass
class Cell:
    """One code cell as Python: ``number`` counts every cell of the notebook from 1 (markdown too)."""

    number: int
    source: str
    note: str = ""

    @property
    def runs(self) -> bool:
        """Whether the cell is run (skipped cells carry a note saying why)."""
        return not self.note


@dataclass
class Converted:
    """A notebook's cells, ready to run and to read."""

    name: str
    cells: list[Cell] = field(default_factory=list)

    def combined(self) -> tuple[str, list[tuple[int, int]]]:
        """The cells that run, joined, and for each line of the result its (cell, line)."""
        lines: list[str] = []
        where: list[tuple[int, int]] = []
        for cell in self.cells:
            if cell.runs:
                own = cell.source.splitlines()
                lines += own
                where += [(cell.number, n) for n in range(1, len(own) + 1)]
        return "\n".join(lines) + "\n", where


@lru_cache(maxsize=1)
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def _aligned(original: str, transformed: str) -> str:
    """``transformed`` padded with blank lines so that each line keeps its original line number."""
    before, after = original.splitlines(), transformed.splitlines()
    if len(after) >= len(before):
        return transformed
    out: list[str] = []
    for _, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        block = after[j1:j2]
        out += block + [""] * max(0, (i2 - i1) - len(block))
    return "\n".join(out) + "\n"


def _cell_magic(python: str) -> tuple[str, str, str] | None:
    """(name, line, body) when IPython turned the cell into one ``run_cell_magic`` call."""
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "run_cell_magic" and len(call.args) == 3):
        return None
    try:
        name, line, body = (ast.literal_eval(arg) for arg in call.args)
    except ValueError:
        return None
    return name, line, body


def to_python(source: str) -> str:
    """A cell's (or script's) IPython syntax as Python calls, line numbers kept."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    try:
        with _TRANSFORMING:
            python = _transformer().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython gives up on some broken input: the parse check reports it
        return source
    magic = _cell_magic(python) if source.lstrip().startswith("%%") else None
    if magic and magic[0] in BODY_MAGICS:
        head = source.lstrip("\n")
        blank = source.count("\n") - head.count("\n") + 1  # the magic's own line (and blank lines above it)
        return "\n" * blank + to_python(magic[2])
    return _aligned(source, python)


@functools.lru_cache(maxsize=64)
def _parse_problem(python: str) -> str:
    """'' when ``python`` parses, else where and why it does not (kept per text: staging, choosing the file and
    the source rules all ask of the same file)."""
    try:
        ast.parse(python)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return type(exc).__name__
    return ""


def _skip_reason(cell, skip_tags: tuple[str, ...]) -> str:
    tags = [t for t in (cell.get("metadata", {}).get("tags") or []) if isinstance(t, str)]
    hit = next((t for t in tags if t in skip_tags), None)
    return f"cell {{n}} skipped: it is tagged {hit}" if hit else ""


def read_notebook(path: Path, skip_tags: tuple[str, ...] = DEFAULT_SKIP_TAGS) -> Converted:
    """The code cells of the notebook at ``path``, in order, as Python; raise NotebookError if unreadable."""
    import nbformat

    data = read_student_bytes(path, MAX_NOTEBOOK_BYTES)
    try:
        notebook = nbformat.reads(data.decode("utf-8-sig"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - JSON, schema and version errors alike
        raise NotebookError(f"{path.name} is not a notebook Jupyter can open ({type(exc).__name__}: "
                            f"{str(exc)[:200]})") from None
    converted = Converted(name=path.name)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        note = _skip_reason(cell, skip_tags).format(n=number)
        python = "" if note else to_python(str(cell.get("source", "")))
        if not note and (problem := _parse_problem(python)):
            note = f"cell {number} skipped: it does not parse ({problem})"
        converted.cells.append(Cell(number, python, note))
    return converted


def decode_source(data: bytes) -> str:
    """Source bytes as text: UTF-8 (with or without a BOM), else Windows-1252, else Latin-1."""
    data = data.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _as_declared(data: bytes) -> str | None:
    """The text Python itself would read from ``data`` (its coding cookie or UTF-8), or None."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None


def convert_script(data: bytes) -> str | None:
    """A ``.py`` that Python cannot import as it is, as Python that it can (IPython syntax turned into
    calls, re-encoded as UTF-8), or None when it imports already or conversion does not help."""
    declared = _as_declared(data)
    if declared is not None and not _parse_problem(declared):
        return None
    text = decode_source(data).replace("\r\n", "\n").replace("\r", "\n")
    head = text.split("\n", 2)
    head[:2] = [re.sub(r"^[ \t\f]*#.*?coding[:=].*$", "#", line) for line in head[:2]]  # now UTF-8, whatever it said
    text = "\n".join(head)
    python = text if not _parse_problem(text) else to_python(text)
    return None if _parse_problem(python) else python


def read_python(path: Path, skip_tags: tuple[str, ...] = DEFAULT_SKIP_TAGS) -> tuple[str, Callable[[int], str]]:
    """The Python a notebook or script stands for, and how to name its line n to a student
    ("cell 7, line 3" in a notebook, "line 3" in a script). Raise NotebookError for an unreadable notebook."""
    if path.suffix.lower() == ".ipynb":
        source, where = read_notebook(path, skip_tags).combined()
        return source, lambda n: "cell {}, line {}".format(*where[n - 1]) if 0 < n <= len(where) else f"line {n}"
    data = read_student_bytes(path, MAX_SCRIPT_BYTES)
    converted = convert_script(data)
    return (converted if converted is not None else decode_source(data)), lambda n: f"line {n}"


def top_level_names(path: Path, skip_tags: tuple[str, ...] = DEFAULT_SKIP_TAGS) -> set[str]:
    """Names a file defines at module level (functions, classes, assignments, imports); empty if unreadable."""
    try:
        tree = ast.parse(read_python(path, skip_tags)[0])
    except (NotebookError, OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node in tree.body:
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names
