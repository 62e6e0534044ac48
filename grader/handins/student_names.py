"""Student names as text that every output can hold, and as file names the results store can use.

A student's name is a folder name or an archive entry, so the student chose it: it may hold lone
surrogates (bytes that are not UTF-8), markup, formula characters or hundreds of bytes. Two rules:

- ``clean_text`` makes any string valid, bounded Unicode: a lone surrogate becomes a visible
  ``\\xNN`` (the byte it stood for) or ``\\uNNNN``, and a string over its bound keeps its head and
  its tail around a marker that says how much was cut. It is idempotent (a cleaned string comes
  back unchanged), so the name stored in a result and the folder name it came from lead to the
  same file.
- ``storage_name`` is the file stem of a student's result and report: the name itself when it is
  short and plain, else a readable slug with a short hash of the name (``~`` marks it).
"""
from __future__ import annotations

import hashlib
import re

MAX_NAME_CHARS = 1000
MAX_STEM_BYTES = 120
SLUG_BYTES = 60
_PLAIN = re.compile(r"[\w .,'()+@-]+")
_NOT_PLAIN = re.compile(r"[^\w.,'()+@-]+")


def _visible(char: str) -> str:
    code = ord(char)
    if not 0xD800 <= code <= 0xDFFF:
        return char
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def clean_text(text: str, limit: int) -> str:
    """``text`` as valid Unicode of at most ``limit`` characters; a cut is marked, never silent."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(_visible(ch) for ch in text)
    if len(text) <= limit:
        return text
    keep = max(0, (limit - 48) // 2)  # the marker is at most 47 characters: the result fits in ``limit``
    return f"{text[:keep]} [... {len(text) - 2 * keep} characters cut ...] {text[len(text) - keep:]}"


def clean_name(student: str) -> str:
    """A student's name as results keep it: valid Unicode, at most ``MAX_NAME_CHARS`` characters."""
    return clean_text(student, MAX_NAME_CHARS)


def _cut_utf8(text: str, size: int) -> str:
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def storage_name(student: str) -> str:
    """The file stem for a student's result and report: safe on every file system, at most 120 bytes."""
    name = clean_name(student)
    plain = (_PLAIN.fullmatch(name) is not None and len(name.encode("utf-8")) <= MAX_STEM_BYTES
             and not name.startswith((".", "-", " ")) and not name.endswith((".", " ")))
    if plain:
        return name
    slug = _cut_utf8(_NOT_PLAIN.sub("_", name), SLUG_BYTES).lstrip(".-_ ") or "student"
    return f"{slug}~{hashlib.sha256(name.encode('utf-8')).hexdigest()[:12]}"
