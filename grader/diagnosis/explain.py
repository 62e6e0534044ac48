"""Naming the mistake behind a failed value, gradient or step check.

For every trial the student failed with a value, the student's value is compared with known wrong values
on the same inputs: simple transforms of the correct value (``transforms``) and what the reference's
mutants observed (``known``). A mistake is named only when it matches, within the check's tolerance, on
every such trial while differing from the correct value there; when more than ``MAX_NAMED`` fit, none is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

from grader.checks.base import Evidence, Tolerance, Verdict
from grader.checks.scenario import ScenarioSpec, probe_id
from grader.diagnosis.known import KnownMistake
from grader.diagnosis.transforms import candidates, matches
from grader.observe import Observation, Value

MAX_NAMED = 3
Correct = Callable[[Observation | None, int], dict[str, tuple[Value | torch.Tensor, torch.Tensor | None]]]
"""``(reference observation, trial) -> {name: (correct value, the value before the step or None)}``."""


@dataclass
class _Failed:
    trial: int
    probe: str
    correct: torch.Tensor
    base: torch.Tensor | None
    student: torch.Tensor


@dataclass
class Diagnosis:
    """The mistakes that explain every failed trial of one observed name."""

    name: str
    keys: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    trials: int = 0

    def sentence(self) -> str:
        """``Your `dW1` equals the correct `dW1` transposed (on each of the 4 failed trials)``."""
        yours = "your result" if self.name == "result" else f"your `{self.name}`"
        theirs = "the correct result" if self.name == "result" else f"the correct `{self.name}`"
        parts = [p if p.startswith("what ") else f"{theirs} {p}" for p in self.phrases]
        said = parts[0] if len(parts) == 1 else "each of: " + "; ".join(parts)
        where = "on the failed trial" if self.trials == 1 else f"on each of the {self.trials} failed trials"
        return f"{yours[0].upper()}{yours[1:]} equals {said} ({where})"


def _numbers(value: Value | torch.Tensor | None) -> torch.Tensor | None:
    """A value as a tensor: a tensor, an array, a number, or a list or tuple of numbers (else None)."""
    if value is None or isinstance(value, torch.Tensor):
        return value
    if value.type in ("list", "tuple") and value.items:
        numbers = [item.number for item in value.items if item.type == "number"]
        return torch.tensor(numbers, dtype=torch.float64) if len(numbers) == len(value.items) else None
    return value.as_tensor()


def _tensor(observation: Observation, name: str) -> torch.Tensor | None:
    return _numbers(observation.values.get(name))


def _failed_trials(spec: ScenarioSpec, evidence: Evidence, tol: Tolerance, correct: Correct) -> dict[str, list[_Failed]]:
    failed: dict[str, list[_Failed]] = {}
    for trial in range(spec.trials):
        pid = probe_id(spec, trial)
        student = evidence.student_probe(pid)
        if student.status != "ok":
            continue
        try:
            expected = correct(evidence.reference_probe(pid), trial)
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # no usable correct value for this trial (a missing or odd reference observation)
        for name, (value, base) in expected.items():
            want, got = _numbers(value), _tensor(student, name)
            if want is None or got is None or matches(want, got, tol):
                continue
            failed.setdefault(name, []).append(_Failed(trial, pid, want, base, got))
    return failed


def _start(row: _Failed) -> torch.Tensor:
    return row.base if row.base is not None else torch.zeros_like(row.correct)


def _explains(value: torch.Tensor | None, row: _Failed, tol: Tolerance) -> bool:
    return value is not None and matches(value, row.student, tol) and not matches(row.correct, value, tol)


def diagnose(name: str, rows: list[_Failed], mistakes: list[KnownMistake], tol: Tolerance) -> Diagnosis:
    """The transforms and known mistakes that match the student's value on every failed trial."""
    found = Diagnosis(name, trials=len(rows))
    per_trial = [{c.key: c for c in candidates(r.correct, r.student, tol, r.base)} for r in rows]
    for key, first in per_trial[0].items():
        if key.startswith("scaled") and sum(int(torch.count_nonzero(r.correct - _start(r))) for r in rows) < 2:
            continue  # one number is a multiple of any other: a factor needs two values to say anything
        if all(key in cands and _explains(cands[key].value, row, tol) for cands, row in zip(per_trial, rows)):
            found.keys.append(key)
            found.phrases.append(first.phrase)
    for mistake in mistakes:
        probes = mistake.observations.probes
        values = [_tensor(probes[r.probe], name) if r.probe in probes and probes[r.probe].status == "ok" else None
                  for r in rows]
        if all(_explains(v, row, tol) for v, row in zip(values, rows)) and mistake.phrase() not in found.phrases:
            found.keys.append(f"{mistake.operator}:{mistake.function}:{mistake.description}")
            found.phrases.append(mistake.phrase())
    if len(found.phrases) > MAX_NAMED:
        found.keys, found.phrases = [], []  # so many fit that naming any would be a guess
    return found


def name_the_mistake(verdict: Verdict, spec: ScenarioSpec, evidence: Evidence, tol: Tolerance,
                     correct: Correct) -> Verdict:
    """``verdict`` with the mistake named in its message (and listed in its details) when one is known to fit."""
    if verdict.fraction >= 1 or verdict.status == "grader_error":
        return verdict
    found = []
    for name, rows in _failed_trials(spec, evidence, tol, correct).items():
        diagnosis = diagnose(name, rows, evidence.mistakes, tol)
        if diagnosis.phrases:
            found.append(diagnosis)
    if not found:
        return verdict
    message = verdict.message.rstrip(".") + ". " + ". ".join(d.sentence() for d in found) + "."
    details = {**verdict.details, "diagnosis": [{"name": d.name, "mistakes": d.keys, "text": d.sentence()}
                                                for d in found]}
    return Verdict(verdict.fraction, message, status=verdict.status, details=details)
