"""Moodle XML (question/format/xml): one <quiz> with a category per variant and every item."""
from __future__ import annotations

import base64
from xml.sax.saxutils import escape

from grader.authoring.quiz.items import QuizItem


def _cdata(html: str) -> str:
    return "<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(tag: str, html: str, indent: str) -> str:
    return f'{indent}<{tag} format="html">\n{indent}  <text>{_cdata(html)}</text>\n{indent}</{tag}>\n'


def _fraction(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _question(item: QuizItem) -> str:
    out = [f'  <question type="{item.type}">\n', f"    <name>\n      <text>{escape(item.name)}</text>\n    </name>\n"]
    text = item.text + (f'<p><img src="@@PLUGINFILE@@/{item.image.name}" alt="{escape(item.name)}"></p>'
                        if item.image else "")
    out.append('    <questiontext format="html">\n')
    out.append(f"      <text>{_cdata(text)}</text>\n")
    if item.image:
        encoded = base64.b64encode(item.image.data).decode()
        out.append(f'      <file name="{item.image.name}" path="/" encoding="base64">{encoded}</file>\n')
    out.append("    </questiontext>\n")
    out.append(_text("generalfeedback", item.feedback, "    "))
    out.append(f"    <defaultgrade>{item.points:g}</defaultgrade>\n    <penalty>0</penalty>\n    <hidden>0</hidden>\n")
    if item.type == "numerical":
        out.append(f'    <answer fraction="100" format="moodle_auto_format">\n      <text>{item.answer!r}</text>\n'
                   f"      <tolerance>{item.tolerance!r}</tolerance>\n"
                   '      <feedback format="html">\n        <text></text>\n      </feedback>\n    </answer>\n')
    elif item.type == "multichoice":
        out.append("    <single>true</single>\n    <shuffleanswers>1</shuffleanswers>\n"
                   "    <answernumbering>abc</answernumbering>\n")
        for choice in item.choices:
            out.append(f'    <answer fraction="{_fraction(choice.fraction)}" format="html">\n'
                       f"      <text>{_cdata(choice.text)}</text>\n")
            out.append(_text("feedback", choice.feedback, "      "))
            out.append("    </answer>\n")
    else:
        out.append("    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n"
                   "    <responsefieldlines>10</responsefieldlines>\n")
    out.append("  </question>\n")
    return "".join(out)


def write_moodle_xml(variants: dict[str, list[QuizItem]]) -> str:
    """The XML file for ``{category path: items}``; categories like ``$course$/pset09/variant 1``."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    for category, items in variants.items():
        out.append(f'  <question type="category">\n    <category>\n      <text>{escape(category)}</text>\n'
                   "    </category>\n  </question>\n")
        out.extend(_question(item) for item in items)
    out.append("</quiz>\n")
    return "".join(out)
