"""Calling functions of a reference file in the sandbox and getting plain values back.

Answer keys (``grade sheet``) and quizzes (``grade quiz``) are computed this way: the reference is
the instructor's code, but it runs in a child like any other, and only data comes back.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.sandbox.parent.launcher import Launcher
from grader.observe import Value
from grader.sandbox.protocol import Probe, SandboxSettings, Step
from grader.sandbox.parent.runner import run_file


@dataclass
class CallOutcome:
    """What one call returned (as plain data), or why it did not."""

    value: Any = None
    problem: str = ""


def plain(value: Value) -> Any:
    """A decoded observation as plain Python: numbers, strings, bytes, lists and dicts (tensors as lists)."""
    if value.type in ("list", "tuple"):
        return [plain(v) for v in value.items or []]
    if value.type == "dict":
        return {k: plain(v) for k, v in zip(value.keys or [], value.items or [])}
    if value.type in ("number", "bool"):
        return value.number
    if value.type == "bytes":
        return value.tensor.numpy().tobytes()
    if value.tensor is not None:
        return value.tensor.tolist()
    return value.text


def call_reference(folder: Path, file: str, calls: dict[str, tuple[str, dict]], *, seed: int = 0, launcher: Launcher | None = None,
                   timeout: float = 60, import_timeout: float = 30,
                   sandbox: SandboxSettings | None = None) -> dict[str, CallOutcome]:
    """Run ``{key: (function, kwargs)}`` of ``folder/file`` in one child; ``{key: CallOutcome}``."""
    probes = [Probe(id=key, steps=[Step(call=function, kwargs=kwargs, observe="value")], seed=seed, timeout=timeout)
              for key, (function, kwargs) in calls.items()]
    observed = run_file(file, folder, probes, seed=seed, launcher=launcher, import_timeout=import_timeout,
                        sandbox=sandbox, keep_whole=True)
    if observed.imported.status != "ok":
        return {key: CallOutcome(problem=f"{file} does not import: {observed.imported.explain()}") for key in calls}
    outcomes = {}
    for key, (function, _) in calls.items():
        obs = observed.probes.get(key)
        if obs is None or obs.status != "ok":
            why = obs.error.one_line() if obs and obs.error else (obs.detail if obs else "did not run")
            outcomes[key] = CallOutcome(problem=f"{file}:{function} failed: {why}")
        else:
            outcomes[key] = CallOutcome(value=plain(obs.values["value"]))
    return outcomes
