"""Calling the student's code through the handout's interface where their names and signatures deviate from it.

A careful marker grades a function named ``sgd_factorise_ad`` where ``sgd_factorise`` was asked for, calls
``f(..., epochs=...)`` where the handout said ``num_epochs=``, and fills a parameter the handout does not have
when the student's own module holds its value; then deducts for the deviation. The child does the same and
notes every adaptation (``note``); the parent deducts the rubric's ``deviation_penalty`` and shows the notes.
"""
from __future__ import annotations

import contextlib
import inspect
from typing import Any, Callable, Iterator

from grader.interface import stand_in_keyword, stand_in_name

_notes: list[dict] | None = None  # the notes of the probe being run


@contextlib.contextmanager
def noting() -> Iterator[list[dict]]:
    """Collect the notes of one probe: ``[{"kind": "keyword", "text": "..."}]``."""
    global _notes
    outer, _notes = _notes, []
    try:
        yield _notes
    finally:
        _notes = outer


def note(kind: str, text: str) -> None:
    """Record one deviation of the probe being run (drivers note theirs too); repeats are kept once."""
    if _notes is not None and not any(n["text"] == text for n in _notes):
        _notes.append({"kind": kind, "text": text})


def claimed_names(probes) -> set[str]:
    """Every name the probes of this file call or read: none of them may stand in for another."""
    names: set[str] = set()
    for probe in probes:
        for step in probe.steps:
            for target in (step.call, step.read):
                if target:
                    names.update(target.split("."))
    return names


def stand_in(owner: Any, wanted: str, claimed: set[str]) -> Any:
    """The callable the student wrote for ``wanted`` under a close name on ``owner`` (a module or an object),
    noted; None when there is none."""
    try:
        names = [n for n in dir(owner) if not n.startswith("_")]
    except Exception:  # noqa: BLE001 - a student object whose __dir__ raises
        return None
    callables = [n for n in names if callable(inspect.getattr_static(owner, n, None))]
    found = stand_in_name(wanted, callables, claimed)
    if found is None:
        return None
    note("name", f"`{found}` was graded as `{wanted}`, the name the handout asks for")
    return getattr(owner, found)


def _plain(parameter: inspect.Parameter) -> bool:
    """A parameter a keyword may be passed to: not ``*args``/``**kwargs``, and not a switch (a bool, str or
    None default) that a number would silently turn on."""
    if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
        return False
    default = parameter.default
    return default is parameter.empty or (isinstance(default, (int, float)) and not isinstance(default, bool))


_SIGNATURES: dict[tuple[Any, bool], inspect.Signature] = {}


def _signature(target: Callable) -> inspect.Signature:
    """``inspect.signature(target)``, kept per function (a probe calls the same few functions many times; a
    bound method's signature is its function's, less ``self``, whatever the object)."""
    function = getattr(target, "__func__", target)
    try:
        key = (function, function is not target)
        return _SIGNATURES[key]
    except KeyError:
        _SIGNATURES[key] = signature = inspect.signature(target)
        return signature
    except Exception:  # noqa: BLE001 - a callable object that cannot be hashed (or whose __hash__ raises)
        return inspect.signature(target)


_BINDS: set[tuple] = set()  # (function, bound method, positional count, keywords) of calls that bind as they are


def _binds(target: Callable, args: list, kwargs: dict) -> inspect.Signature | None:
    """None when ``target(*args, **kwargs)`` binds to its signature (whether a call binds depends only on how many
    arguments it passes and which keywords, so the answer is kept); the signature when it does not; raises
    ValueError for a callable without one."""
    function = getattr(target, "__func__", target)
    try:
        key = (function, function is not target, len(args), tuple(kwargs))
        if key in _BINDS:
            return None
    except Exception:  # noqa: BLE001 - a callable object that cannot be hashed (or whose __hash__ raises)
        key = None
    signature = _signature(target)
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return signature
    if key is not None:
        _BINDS.add(key)
    return None


def adapted_kwargs(target: Callable, args: list, kwargs: dict, label: str,
                   fill: Callable[[str], tuple[Any, str] | None]) -> dict | None:
    """Keyword arguments under which ``target(*args, **kwargs)`` binds to the student's signature, when the
    plain call does not: handout keywords renamed to the student's parameters, extra parameters filled by
    ``fill(name) -> (value, where)``. None when the call binds as it is, or cannot be adapted."""
    try:
        signature = _binds(target, args, kwargs)
    except (ValueError, TypeError):  # no signature (a builtin), or not callable: call it as it is
        return None
    if signature is None:
        return None
    params = signature.parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return None
    positional = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(args) > len(positional) and not any(p.kind == p.VAR_POSITIONAL for p in params.values()):
        return None
    taken = {p.name for p in positional[:len(args)]}
    new = {k: v for k, v in kwargs.items() if k in params and k not in taken}
    free = [n for n, p in params.items() if n not in taken and n not in new and _plain(p)]
    renamed = []
    for key in [k for k in kwargs if k not in new]:
        name = stand_in_keyword(key, free)
        if name is None:
            return None
        new[name] = kwargs[key]
        free.remove(name)
        renamed.append(f"`{key}=` as `{name}=`")
    filled = []
    for name, p in params.items():
        if name in taken or name in new or p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        found = fill(name)
        if found is None:
            return None
        new[name], where = found
        filled.append(f"`{name}` (given {where})")
    try:
        signature.bind(*args, **new)
    except TypeError:
        return None
    if renamed:
        note("keyword", f"`{label}` takes the handout's " + ", ".join(renamed))
    if filled:
        note("parameter", f"`{label}` has parameters the handout's does not: " + ", ".join(filled))
    return new


def call(target: Callable, args: list, kwargs: dict, label: str,
         fill: Callable[[str], tuple[Any, str] | None] = lambda _name: None) -> Any:
    """``target(*args, **kwargs)``, adapted to the student's signature where it deviates from the handout's."""
    adapted = adapted_kwargs(target, args, kwargs, label, fill)
    return target(*args, **(kwargs if adapted is None else adapted))


def filler(module: Any, target: Any) -> Callable[[str], tuple[Any, str] | None]:
    """Values for extra parameters: the attribute of the method's own object, else the module's global."""
    owner = getattr(target, "__self__", None)

    def fill(name: str) -> tuple[Any, str] | None:
        if owner is not None and not inspect.ismodule(owner) and hasattr(owner, name):
            return getattr(owner, name), f"`self.{name}`"
        for namespace in (getattr(target, "__globals__", None) or {}, vars(module)):
            if name in namespace and not name.startswith("_"):
                return namespace[name], f"the module's `{name}`"
        return None

    return fill


class Adapted:
    """A student's function handed to a driver: calls made through it are adapted like the probe's own."""

    def __init__(self, function: Callable, label: str, fill: Callable[[str], tuple[Any, str] | None]) -> None:
        self.function, self.label, self.fill = function, label, fill
        self.__name__ = getattr(function, "__name__", label)
        self.__globals__ = getattr(function, "__globals__", {})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call(self.function, list(args), kwargs, self.label, self.fill)
