"""Printing to the instructor's terminal: every message is text, never rich markup.

Messages carry student-controlled strings (folder names, archive entries, exception messages,
tracebacks), so none of them goes through rich's markup parser: a label is styled on its own and
the message follows as a ``Text``. Control characters other than newline and tab are shown
escaped (``\\x1b``), so a name cannot move the cursor, retitle the terminal or hide a line.
"""
from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def visible(text: str) -> str:
    """``text`` with control characters (newline and tab kept) written as ``\\xNN``, and lone surrogates (a file
    name's bytes that are not UTF-8) as ``\\udcNN``: a terminal could not print them."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                        text)


def cell(text: str, style: str = "") -> Text:
    """A table cell that shows ``text`` literally."""
    return Text(visible(str(text)), style=style)


def say(console: Console, text: str, label: str = "", style: str = "") -> None:
    """Print ``label`` in ``style`` (when given), then ``text`` literally."""
    out = Text()
    if label:
        out.append(visible(label), style=style)
        out.append(" ")
    out.append(visible(str(text)))
    console.print(out, highlight=False)


def error(console: Console, text: str) -> None:
    """``error: <text>`` with the label in red."""
    say(console, text, "error:", "red")


def warning(console: Console, text: str, label: str = "warning:") -> None:
    """``<label> <text>`` with the label in yellow."""
    say(console, text, label, "yellow")
