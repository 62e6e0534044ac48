"""GIFT, Moodle's text format: ``::name::[html]text{#answer:tolerance}`` and ``{=right ~wrong}``."""
from __future__ import annotations

import base64

from grader.authoring.quiz.items import QuizItem

_SPECIAL = "~=#{}:"


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text).replace("\n", " ")


def _fraction(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _question(item: QuizItem) -> str:
    text = item.text
    if item.image:  # GIFT cannot carry files: the picture travels inline as a data URI
        text += f'<p><img src="data:image/png;base64,{base64.b64encode(item.image.data).decode()}" alt=""></p>'
    head = f"::{_escape(item.name)}::[html]{_escape(text)}"
    if item.type == "numerical":
        body = f"{{#{item.answer!r}:{item.tolerance!r}}}"
    elif item.type == "multichoice":
        parts = [("=" if c.fraction >= 100 - 1e-4 else "~" if c.fraction == 0 else f"~%{_fraction(c.fraction)}%")
                 + _escape(c.text)
                 + (f"#{_escape(c.feedback)}" if c.feedback else "") for c in item.choices]
        body = "{" + " ".join(parts) + "}"
    else:
        body = "{}"
    feedback = f"####{_escape(item.feedback)}" if item.feedback and item.type != "multichoice" else ""
    return f"{head}{body[:-1]}{feedback}{body[-1:]}\n\n" if feedback else f"{head}{body}\n\n"


def write_gift(variants: dict[str, list[QuizItem]]) -> str:
    """The GIFT file for ``{category path: items}``."""
    out = []
    for category, items in variants.items():
        out.append(f"$CATEGORY: {category}\n\n")
        out.extend(_question(item) for item in items)
    return "".join(out)
