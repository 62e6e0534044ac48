"""Cells that a spreadsheet opens as data, never as a formula (CSV injection).

Every CSV the grader writes for people (``marks.csv``, the marker's template, Moodle's grading
worksheet) holds text students control: folder names, full names, messages. A spreadsheet runs
a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some read one starting with a tab or a
carriage return the same way). Following OWASP's rule, such a cell gets a leading single quote,
which spreadsheets show as text. Numbers stay numbers: a grade, even a negative one, is written
as it is, and so is Moodle's ``-`` for "no date".
"""
from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def is_number_text(text: str) -> bool:
    """True for a plain decimal number such as ``-3.5``, ``+2`` or ``80,00`` (a spreadsheet reads it as a number)."""
    return _NUMBER.fullmatch(text) is not None


def safe_cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet runs: numbers unchanged, formula-like text behind a ``'``."""
    if not isinstance(value, str) or value == "-" or is_number_text(value):
        return value
    return "'" + value if value.startswith(FORMULA_START) else value


def unquote_cell(text: str) -> str:
    """The text ``safe_cell`` was given: a leading ``'`` that it added is removed, any other kept."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START) and safe_cell(text[1:]) == text:
        return text[1:]
    return text
