"""A question's source as the similarity views read it: a script, or a notebook's code cells."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.handins.notebooks import DEFAULT_SKIP_TAGS, NotebookError, read_notebook, read_python

MAX_SOURCE_BYTES = 2_000_000


@dataclass
class Document:
    """One student's file for one question: the Python it stands for and a label per line.

    ``labels[i]`` names line ``i + 1`` as a person finds it: ``"12"`` in a script, ``"c7:3"``
    (cell 7, line 3) in a notebook.
    """

    owner: str
    file: str
    text: str
    labels: list[str]

    @property
    def lines(self) -> list[str]:
        """The source's lines (no line ends)."""
        return self.text.splitlines()


def read_document(owner: str, path: Path, skip_tags: tuple[str, ...] = DEFAULT_SKIP_TAGS) -> Document | None:
    """The document at ``path`` (a ``.py`` or ``.ipynb``), or None when it cannot be read. A link is never
    followed (a student's file could point at another student's or at the grader's own files)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        if path.suffix.lower() == ".ipynb":
            text, where = read_notebook(path, skip_tags).combined()
            labels = [f"c{cell}:{line}" for cell, line in where]
        else:
            text, _ = read_python(path, skip_tags)
            labels = [str(n) for n in range(1, text.count("\n") + 2)]
    except (NotebookError, OSError, ValueError):
        return None
    return Document(owner=owner, file=path.name, text=text, labels=labels)
