"""``kind: source`` — rules on the student's source code, read as an AST (never executed, never regex).

``require`` patterns must occur in code that can run (inside each function named in ``within`` or a
module-level helper it calls, when given); ``forbid`` patterns must occur nowhere in the file. Names are
followed as Python binds them (``source_rules``). Rules earn nothing for work not done: ``require`` rules in a
file that does not import, or in a function that is still the starter's; forbid-only rules where every
function they judge is empty or the starter's unchanged (``starter/<assignment>/``).
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Callable, Literal

from pydantic import Field, model_validator

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict
from grader.checks.source_names import Names, module_names
from grader.checks.source_rules import Pattern, definitions, find, find_each, scopes, with_helpers
from grader.handins.notebooks import DEFAULT_SKIP_TAGS, MAX_NOTEBOOK_BYTES, NotebookError, read_python
from grader.interface import stand_in_name
from grader.observe import Deviation
from grader.sandbox.protocol import Probe

MAX_SOURCE_BYTES = 1_000_000
READS_FILES_ONLY = True  # the verdict reads the files and whether the file imported: scored while it runs


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
    """Nothing is called; required code must import, so the student's file is imported (an empty probe)."""
    return Plan(student=[Probe(id=f"{spec.id}.imports", steps=[], timeout=ctx.timeout)] if spec.require else [])


def _line(n: int) -> str:
    return f"line {n}"


def _read(path: Path, name: str, skip_tags: tuple[str, ...]) -> tuple[ast.Module | None, str, Callable[[int], str]]:
    """The file's AST (a notebook's cells that run, a converted script), or why not; and how to name a line."""
    if path.is_symlink():
        return None, f"{name} is a symbolic link; links are not followed", _line
    if not path.is_file():
        return None, f"{name} is missing", _line
    limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_SOURCE_BYTES
    if path.stat().st_size > limit:
        return None, f"{name} is larger than {limit:,} bytes and was not read", _line
    try:
        source, where = read_python(path, skip_tags or DEFAULT_SKIP_TAGS)
        return ast.parse(source, filename=name), "", where
    except NotebookError as exc:
        return None, str(exc), _line
    except SyntaxError as exc:
        return None, f"{name} does not parse: line {exc.lineno}: {exc.msg}", _line
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, f"{name} could not be parsed ({type(exc).__name__})", _line


def _parse(evidence: Evidence, name: str) -> tuple[ast.Module | None, str, Callable[[int], str]]:
    return _read(evidence.submission_dir / name, name, evidence.ctx.skip_tags)


# --- work not done: empty functions, the starter's code unchanged -------------------------------------------

_DOCUMENTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)


def _body(node: ast.AST) -> list[ast.stmt]:
    """The statements of a function, class or module, its docstring left out (editing one changes no code)."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
            isinstance(body[0].value.value, str):
        return body[1:] or [ast.Pass()]
    return body


def _shape(value: object) -> object:
    """A node as nested tuples of its type and fields, positions, contexts and docstrings aside."""
    if isinstance(value, ast.AST):
        parts: list[object] = [type(value).__name__]
        for name, field in ast.iter_fields(value):
            if name in ("ctx", "type_comment"):
                continue
            parts.append(_shape(_body(value) if name == "body" and isinstance(value, _DOCUMENTED) else field))
        return tuple(parts)
    if isinstance(value, list):
        return tuple(_shape(item) for item in value)
    return value


@functools.lru_cache(maxsize=512)  # by identity: a parsed tree is never changed, and several checks ask
def fingerprint(node: ast.AST) -> str:
    """The code of a definition, layout, comments and docstrings aside."""
    return repr(_shape(node))


def _is_starters(name: str, node: ast.AST, starter: dict[str, str]) -> bool:
    """``node``, defined as ``name``, is the starter's code of that name (fingerprinted only if the starter has it)."""
    return name in starter and starter[name] == fingerprint(node)


@functools.lru_cache(maxsize=32)
def _starter_code(folder: str, stamp: tuple) -> tuple[dict[str, str], dict[str, str]]:
    """Fingerprints of the starter's definitions (``f``, ``Class``, ``Class.method``) and of its whole files."""
    definitions_: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.py")):
        tree, _, _ = _read(path, path.name, DEFAULT_SKIP_TAGS)
        if tree is None:
            continue
        files[path.name] = fingerprint(tree)
        for name, node in definitions(tree).items():
            definitions_[name] = fingerprint(node)
            if isinstance(node, ast.ClassDef):
                definitions_.update({f"{name}.{m.name}": fingerprint(m) for m in node.body
                                     if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))})
    return definitions_, files


def starter_code(ctx: PlanContext) -> tuple[dict[str, str], dict[str, str]]:
    """The starter's fingerprints for this assignment (none when it has no starter folder)."""
    if ctx.starter is None or not ctx.starter.is_dir():
        return {}, {}
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(ctx.starter.glob("*.py")))
    return _starter_code(str(ctx.starter), stamp)


def _empty(node: ast.AST) -> bool:
    """A function whose body does nothing yet: ``pass``, ``...``, ``raise NotImplementedError``, a bare return."""
    if isinstance(node, ast.ClassDef):
        methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return bool(methods) and all(_empty(m) for m in methods)
    for statement in _body(node):
        if isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and isinstance(statement.value,
                                                                                              ast.Constant)):
            continue
        if isinstance(statement, ast.Return) and (statement.value is None or (isinstance(statement.value, ast.Constant)
                                                                              and statement.value.value is None)):
            continue
        if isinstance(statement, ast.Raise) and statement.exc is not None and "NotImplementedError" in \
                ast.unparse(statement.exc):
            continue
        return False
    return True


def _untouched(name: str, node: ast.AST, starter: dict[str, str]) -> bool:
    """``node`` (defined as ``name``) is empty or the starter's own code."""
    if _empty(node):
        return True
    if _is_starters(name, node, starter):
        return True
    if isinstance(node, ast.ClassDef):
        methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        return bool(methods) and all(_untouched(f"{name}.{m.name}", m, starter) for m in methods)
    return False


def _judged(tree: ast.Module, spec: Spec, ctx: PlanContext) -> dict[str, ast.AST]:
    """The definitions a rule without ``within`` judges: those the question's checks use, else every one."""
    defined = definitions(tree)
    named = {n: d for n, d in defined.items() if n in ctx.interface}
    return named or defined


def _nothing_done(tree: ast.Module, spec: Spec, ctx: PlanContext, file: str,
                  scopes_: dict[str, ast.AST | None]) -> str:
    """Why the rules earn nothing because the work they judge is not done yet ('' when it is)."""
    starter, files = starter_code(ctx)
    judged = {n: d for n, d in scopes_.items() if d is not None} if spec.within else _judged(tree, spec, ctx)
    if not judged:
        if not spec.within and _is_starters(file, tree, files):
            return f"{file} is the starter's file unchanged, so there is nothing to judge yet"
        return ""
    if spec.within and spec.require:
        same = [n for n, d in judged.items() if _is_starters(n, d, starter)]
        if same:
            return f"{_names(same)} {'is' if len(same) == 1 else 'are'} the starter's code unchanged, so the " \
                   "rules earn nothing yet"
    if all(_untouched(n, d, starter) for n, d in judged.items()):
        return f"{_names(list(judged))} {'is' if len(judged) == 1 else 'are'} empty or the starter's code " \
               "unchanged, so there is nothing to judge yet"
    return ""


def _names(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:6])
    return shown + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def _within(tree: ast.Module, spec: Spec, ctx: PlanContext) -> tuple[dict[str, ast.AST | None], list[Deviation]]:
    """The definitions named by ``within``, a close name standing in for a missing one (noted)."""
    found = scopes(tree, spec.within)
    notes = []
    defined = definitions(tree)
    for name, node in found.items():
        if node is None and (other := stand_in_name(name, list(defined), ctx.interface)) is not None:
            found[name] = defined[other]
            notes.append(Deviation(kind="name", text=f"`{other}` was graded as `{name}`, the name the handout "
                                                     "asks for"))
    return found, notes


def score(spec: Spec, evidence: Evidence) -> Verdict:
    """All or nothing; the message lists every broken rule with its line."""
    name = spec.file or evidence.student.module_file
    tree, why, where = evidence.remember(("ast", name), lambda: _parse(evidence, name))
    if tree is None:
        return Verdict(0.0, why)
    imported = evidence.student.imported
    if spec.require and imported.status != "ok":
        return Verdict(0.0, f"{evidence.student.module_file} does not import ({imported.explain()}), so the code "
                            "these rules ask for never runs")
    names: Names = evidence.remember(("names", name), lambda: module_names(tree))
    targets, notes = _within(tree, spec, evidence.ctx) if spec.within else ({name: tree}, [])
    if idle := _nothing_done(tree, spec, evidence.ctx, name, targets if spec.within else {}):
        return Verdict(0.0, idle, deviations=notes)
    problems = []
    for scope_name, node in targets.items():
        if node is None:
            problems.append(f"no top-level `{scope_name}` to look in")
            continue
        searched = with_helpers(tree, node) if spec.within else [node]
        live = [find_each(spec.require, part, names, live=True) for part in searched]
        for index, pattern in enumerate(spec.require):
            if not any(hits[index] for hits in live):
                scope = f"`{scope_name}`" if spec.within else name
                dead = [hit for part in searched for hit in find(pattern, part, names)]
                how = f"uses {pattern.label()} only where it never runs ({where(dead[0].line)})" if dead \
                    else f"does not use {pattern.label()}"
                problems.append(f"{scope} {how}" + (f" ({pattern.why})" if pattern.why else ""))
    for pattern, hits in zip(spec.forbid, find_each(spec.forbid, tree, names)):
        for hit in hits:
            problems.append(f"{where(hit.line)}: {hit.text} is not allowed" + (f" ({pattern.why})" if pattern.why else ""))
    if problems:
        return Verdict(0.0, "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else ""),
                       deviations=notes)
    rules = [p.label() for p in spec.require] + [f"no {p.label()}" for p in spec.forbid]
    return Verdict(1.0, "source follows the rules: " + ", ".join(rules), deviations=notes)
