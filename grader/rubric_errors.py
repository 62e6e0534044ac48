"""Rubric errors as an instructor reads them: one line per real problem, located, with a fix that fits.

pydantic reports a value that fits no branch of a union once per branch (``bool``, ``int``, ``str``,
...) and names the branch in the error's location. Here each location is walked through the rubric's
own models: branch names are dropped, errors of the same place collapse into one, and a misspelt
field is matched against the fields of the model it was written in (never against itself).
"""
from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

_READABLE = {"bool": "true or false", "int": "an integer", "float": "a number", "str": "a string", "none": "null"}


def _unwrap(annotation: Any) -> tuple[Any, dict[str, Any]]:
    """The annotation without ``Annotated``, and its union branches by tag (empty when not a union)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) not in (Union, types.UnionType):
        return annotation, {}
    branches = {}
    for member in typing.get_args(annotation):
        inner, tag = member, None
        if typing.get_origin(member) is typing.Annotated:
            inner = typing.get_args(member)[0]
            tag = next((getattr(m, "tag") for m in typing.get_args(member)[1:] if hasattr(m, "tag")), None)
        if tag is None and isinstance(inner, type) and issubclass(inner, BaseModel) and "kind" in inner.model_fields:
            kind = inner.model_fields["kind"].annotation
            tag = typing.get_args(kind)[0] if typing.get_origin(kind) is typing.Literal else None
        if tag is None:
            tag = inner.__name__ if isinstance(inner, type) else str(inner)
        branches[str(tag).lower() if tag in ("NoneType",) else str(tag)] = inner
    branches.setdefault("none", type(None))
    return annotation, branches


def _step(annotation: Any, part: Any) -> tuple[Any, bool, type[BaseModel] | None]:
    """Follow one location part: (the annotation reached, whether the part was a union branch, the model
    whose field the part names)."""
    annotation, branches = _unwrap(annotation)
    if branches:
        if isinstance(part, str) and part in branches:
            return branches[part], True, None
        for member in branches.values():  # `X | None`: the part belongs to X
            reached, _, owner = _step(member, part)
            if reached is not None:
                return reached, False, owner
        return None, False, None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        by_alias = {f.alias or name: f for name, f in annotation.model_fields.items()}
        field = annotation.model_fields.get(part) or by_alias.get(part)
        return (field.annotation if field else None), False, annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        return args[0], False, None
    if origin is dict and len(args) == 2:
        return args[1], False, None
    return None, False, None


def clean_location(top: type[BaseModel], loc: tuple) -> tuple[tuple, list[str], type[BaseModel] | None]:
    """The location without union branch names, the branch names dropped, and the model owning the last part."""
    annotation, kept, dropped, owner = top, [], [], top
    for part in loc:
        reached, is_branch, named_in = _step(annotation, part)
        if is_branch:
            dropped.append(str(part))
        else:
            kept.append(part)
            owner = named_in if named_in is not None else owner
        annotation = reached
    return tuple(kept), dropped, owner


def _fields_of(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _hint(error: dict, owner: type[BaseModel] | None, kinds: list[str]) -> str:
    kind, field = error["type"], str(error["loc"][-1]) if error["loc"] else ""
    if kind == "missing":
        return f"add `{field}:`"
    if kind == "extra_forbidden":
        fields = _fields_of(owner)
        close = difflib.get_close_matches(field, [f for f in fields if f != field], n=1)
        if close:
            return f"remove `{field}` (did you mean `{close[0]}`?)"
        return f"remove `{field}`" + (f" (allowed here: {', '.join(fields)})" if fields else "")
    if kind == "union_tag_not_found":
        return f"add `kind:` with one of: {', '.join(kinds)}"
    if kind == "union_tag_invalid":
        return f"use one of: {', '.join(kinds)}"
    return ""


def _line_of(root: yaml.Node | None, loc: tuple) -> int | None:
    node, line = root, (root.start_mark.line + 1 if root else None)
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                continue
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            continue
        line = node.start_mark.line + 1
    return line


def _misspelt(grouped: dict[tuple, list]) -> dict[tuple, tuple]:
    """Extra fields that are a misspelling of a required field missing beside them: {extra loc: missing loc}."""
    missing = {loc for loc, errors in grouped.items() if errors[0][0]["type"] == "missing"}
    pairs = {}
    for loc, errors in grouped.items():
        if errors[0][0]["type"] != "extra_forbidden":
            continue
        siblings = [m[-1] for m in missing if m[:-1] == loc[:-1] and isinstance(m[-1], str)]
        close = difflib.get_close_matches(str(loc[-1]), siblings, n=1)
        if close:
            pairs[loc] = loc[:-1] + (close[0],)
    return pairs


def format_errors(path: Path, root: yaml.Node | None, exc: ValidationError, top: type[BaseModel],
                  kinds: list[str]) -> list[str]:
    """One ``file:line: field: problem — fix`` line per place in the rubric that is wrong."""
    grouped: dict[tuple, list[tuple[dict, list[str], type[BaseModel] | None]]] = {}
    for error in exc.errors():
        loc, dropped, owner = clean_location(top, tuple(error["loc"]))
        if error["type"] in ("union_tag_invalid", "union_tag_not_found") and \
                (error.get("ctx") or {}).get("discriminator") == "'kind'":
            loc += ("kind",)
        grouped.setdefault(loc, []).append((error, dropped, owner))
    renamed = _misspelt(grouped)
    problems = []
    for loc, errors in grouped.items():
        error, dropped, owner = errors[0]
        message = error["msg"].removeprefix("Value error, ")
        if loc in renamed.values():
            continue  # the missing field is the misspelt one, reported there
        if loc in renamed:
            where = _line_of(root, loc)
            problems.append(f"{path}:{where}: {'.'.join(map(str, loc))}: unknown field — rename `{loc[-1]}` to "
                            f"`{renamed[loc][-1]}`")
            continue
        if error["type"] in ("union_tag_invalid", "union_tag_not_found") and loc[-1:] == ("kind",):
            tag = (error.get("ctx") or {}).get("tag")
            message = f"unknown check kind {tag!r}" if tag else "the check has no kind"
        elif len(errors) > 1 and all(e["type"].endswith(("_type", "_parsing")) for e, _, _ in errors):
            wanted = [_READABLE.get(d[-1], d[-1]) for _, d, _ in errors if d]
            message = "expected " + " or ".join(dict.fromkeys(wanted)) if wanted else message
        shown = ".".join(str(p) for p in loc)
        line = _line_of(root, loc)
        hint = _hint(error, owner, kinds)
        where = f"{path}:{line}" if line else str(path)
        problems.append(f"{where}: {shown or '(top level)'}: {message}" + (f" — {hint}" if hint else ""))
    return problems
