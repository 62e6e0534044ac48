"""Making the evidence a check scores, by hand: observations as the child would send them, no child at all."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from grader.checks.base import CheckSpec, Evidence, Plan, PlanContext, Verdict
from grader.checks.registry import KINDS
from grader.inputs import generate_inputs
from grader.observe import ErrorInfo, FileObservations, ImportInfo, Observation, Value, decode_value, encode_value
from grader.sandbox.protocol import Probe

SEED = 4901


def context(**fields: Any) -> PlanContext:
    """A planning context for question ``q1`` with the rubric seed 4901 (fields override)."""
    return PlanContext(**{"seed": SEED, "question": "q1", **fields})


def make_spec(kind: str, **fields: Any) -> CheckSpec:
    """A check of ``kind`` as a rubric would give it, validated by the kind's own Spec (id ``c``, 1 point)."""
    return KINDS[kind].Spec.model_validate({"id": "c", "kind": kind, "points": 1, **fields})


def plan_of(spec: CheckSpec, ctx: PlanContext | None = None) -> Plan:
    """The kind's own plan for ``spec``."""
    return KINDS[spec.kind].plan(spec, ctx or context())


def as_value(obj: Any, whole: bool = False) -> Value:
    """``obj`` as the parent receives it: encoded as the child encodes it, then decoded (``whole``: the reference)."""
    tensors: dict[str, torch.Tensor] = {}
    return decode_value(encode_value(obj, tensors, whole=whole), tensors)


def ok(probe_id: str, values: dict[str, Any] | None = None, ops: dict[str, int] | None = None,
       whole: bool = False) -> Observation:
    """A probe that completed and observed ``values`` (Python objects, encoded) and traced ``ops``."""
    return Observation(probe_id=probe_id, status="ok", ops=ops or {},
                       values={name: as_value(v, whole) for name, v in (values or {}).items()})


def raised(probe_id: str, error_type: str, message: str, traceback: tuple[str, ...] = ()) -> Observation:
    """A probe in which the code raised ``error_type: message``."""
    return Observation(probe_id=probe_id, status="error",
                       error=ErrorInfo(type=error_type, message=message, traceback=list(traceback)))


def stopped(probe_id: str, status: str, detail: str) -> Observation:
    """A probe the parent ended (``timeout``, ``crashed``) or never ran (``not_run``), with the runner's detail."""
    return Observation(probe_id=probe_id, status=status, detail=detail)


def observed(*probes: Observation, module_file: str = "question1.py", defined: tuple[str, ...] = ()) -> FileObservations:
    """One question file's observations: an import that succeeded, then ``probes``."""
    return FileObservations(module_file=module_file, imported=ImportInfo(status="ok", defined=list(defined)),
                            probes={p.probe_id: p for p in probes})


def score(spec: CheckSpec, student: FileObservations, reference: FileObservations | None = None,
          folder: Path | None = None, ctx: PlanContext | None = None) -> Verdict:
    """The kind's own ``score`` on hand-built evidence (``folder``: the submission, for kinds that read files)."""
    evidence = Evidence(student=student, reference=reference, submission_dir=folder or Path("/nonexistent"),
                        ctx=ctx or context())
    return KINDS[spec.kind].score(spec, evidence)


def inputs_of(probe: Probe, device: str = "cpu") -> dict[str, torch.Tensor]:
    """The tensors a probe's child generates from its seed (the parent regenerates the same ones)."""
    return generate_inputs(probe.inputs, probe.seed, device)


def call_args(probe: Probe, prefix: str = "call") -> list[torch.Tensor]:
    """The generated positional arguments of the probe's ``prefix`` call, in order."""
    tensors = inputs_of(probe)
    count = sum(1 for name in tensors if name.startswith(f"{prefix}.arg"))
    return [tensors[f"{prefix}.arg{i}"] for i in range(count)]


def answers(probes: list[Probe], function, name: str = "result", whole: bool = False,
            module_file: str = "question1.py") -> FileObservations:
    """Observations of ``function`` called on each probe's generated arguments, saved as ``name``."""
    return observed(*(ok(p.id, {name: function(*call_args(p))}, whole=whole) for p in probes), module_file=module_file)
