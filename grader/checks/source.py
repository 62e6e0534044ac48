"""``kind: source`` — rules on the student's source code, read as an AST (never executed, never regex).

``require`` patterns must occur (inside each function named in ``within``, when given);
``forbid`` patterns must occur nowhere in the file.
"""
from __future__ import annotations

import ast
from typing import Callable, Literal

from pydantic import Field, model_validator

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict
from grader.checks.source_rules import Pattern, aliases_of, find, scopes
from grader.handins.notebooks import DEFAULT_SKIP_TAGS, MAX_NOTEBOOK_BYTES, NotebookError, read_python

MAX_SOURCE_BYTES = 1_000_000


class Spec(CheckSpec):
    """Source rules for one file (the question's file unless ``file`` is given)."""

    kind: Literal["source"]
    file: str | None = None
    within: list[str] = Field(default_factory=list)
    require: list[Pattern] = Field(default_factory=list)
    forbid: list[Pattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_rules(self) -> "Spec":
        if not self.require and not self.forbid:
            raise ValueError("a source check needs `require:` or `forbid:` patterns")
        return self


def plan(spec: Spec, ctx: PlanContext) -> Plan:
    """Nothing runs: the source is read in the parent."""
    return Plan()


def _line(n: int) -> str:
    return f"line {n}"


def _parse(evidence: Evidence, name: str) -> tuple[ast.Module | None, str, Callable[[int], str]]:
    """The file's AST (a notebook's cells that run, a converted script), or why not; and how to name a line."""
    path = evidence.submission_dir / name
    if path.is_symlink():
        return None, f"{name} is a symbolic link; links are not followed", _line
    if not path.is_file():
        return None, f"{name} is missing", _line
    limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_SOURCE_BYTES
    if path.stat().st_size > limit:
        return None, f"{name} is larger than {limit:,} bytes and was not read", _line
    try:
        source, where = read_python(path, evidence.ctx.skip_tags or DEFAULT_SKIP_TAGS)
        return ast.parse(source, filename=name), "", where
    except NotebookError as exc:
        return None, str(exc), _line
    except SyntaxError as exc:
        return None, f"{name} does not parse: line {exc.lineno}: {exc.msg}", _line
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, f"{name} could not be parsed ({type(exc).__name__})", _line


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """All or nothing; the message lists every broken rule with its line."""
    name = spec.file or evidence.student.module_file
    tree, why, where = evidence.remember(("ast", name), lambda: _parse(evidence, name))
    if tree is None:
        return Verdict(0.0, why)
    aliases = aliases_of(tree)
    problems = []
    targets = scopes(tree, spec.within) if spec.within else {name: tree}
    for scope_name, node in targets.items():
        if node is None:
            problems.append(f"no top-level `{scope_name}` to look in")
            continue
        for pattern in spec.require:
            if not find(pattern, node, aliases):
                scope = f"`{scope_name}`" if spec.within else name
                problems.append(f"{scope} does not use {pattern.label()}" + (f" ({pattern.why})" if pattern.why else ""))
    for pattern in spec.forbid:
        for hit in find(pattern, tree, aliases):
            problems.append(f"{where(hit.line)}: {hit.text} is not allowed" + (f" ({pattern.why})" if pattern.why else ""))
    if problems:
        return Verdict(0.0, "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else ""))
    rules = [p.label() for p in spec.require] + [f"no {p.label()}" for p in spec.forbid]
    return Verdict(1.0, "source follows the rules: " + ", ".join(rules))
