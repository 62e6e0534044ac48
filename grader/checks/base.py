"""The interface every check kind implements, and the small data objects it exchanges.

A kind is a module with ``Spec`` (its pydantic model, with ``kind: Literal[...]``), and two
functions: ``plan(spec, ctx) -> Plan`` (the probes to run, per side) and
``score(spec, evidence) -> Verdict`` (run only in the trusted parent).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from grader.course import DRIVER_NAMES
from grader.diagnosis.blame import error_sentence
from grader.diagnosis.known import KnownMistake
from grader.observe import Deviation, FileObservations, Observation
from grader.sandbox.protocol import Probe, Step

Status = Literal["pass", "partial", "fail", "error", "grader_error", "manual"]
"""``error``: the student's code raised, crashed, timed out or was not found; ``grader_error``: the grader or the
rubric failed (never the student's fault, never more points than ``error``, listed for the instructor)."""


class Tolerance(BaseModel):
    """``|student - reference| <= atol + rtol * |reference|``, elementwise."""

    model_config = ConfigDict(extra="forbid")
    rtol: float = Field(1e-5, ge=0)
    atol: float = Field(1e-6, ge=0)


def _known_driver(name: str, info: ValidationInfo) -> str:
    course = tuple((info.context or {}).get("course_drivers", ()))
    if name not in DRIVER_NAMES and name not in course:
        known = ", ".join([*sorted(DRIVER_NAMES), *(f"{n} (the course's drivers.py)" for n in course)])
        raise ValueError(f"unknown driver {name!r}; known drivers: {known}")
    return name


DriverName = Annotated[str, AfterValidator(_known_driver)]
"""A rubric's ``driver:``: the name of grader code in ``course/drivers.py`` or of a function in the course's own
``drivers.py`` (validated with ``context={"course_drivers": names}``)."""


def driver_steps(driver: str, driver_args: dict, seed: int, *, function: str | None = None,
                 variable: str | None = None, **fields: Any) -> list[Step]:
    """Steps that hand a driver the student's ``function`` (read by name), an object saved earlier as
    ``variable``, or else the student's whole module; ``fields`` complete the driver's step."""
    steps = [Step(read=function, save="subject")] if function else []
    subject = {"var": "subject"} if function else {"var": variable} if variable else {"module": True}
    steps.append(Step(driver=driver, args=[subject], kwargs={**driver_args, "seed": seed}, **fields))
    return steps


DEFAULT_DEVIATION_PENALTY = 0.25


class DeviationPenalty(BaseModel):
    """The share of a check's points deducted when the grader adapted to a deviation from the handout's
    interface, per kind of deviation (``grader.interface``); one number sets every kind: 1 is strict, 0 no
    deduction. A dtype the grader retried in is never deducted: the handout's data did not suit the code."""

    model_config = ConfigDict(extra="forbid")
    name: float = Field(DEFAULT_DEVIATION_PENALTY, ge=0, le=1, description="a close name stood in for the handout's")
    keyword: float = Field(DEFAULT_DEVIATION_PENALTY, ge=0, le=1, description="a keyword under the student's name")
    parameter: float = Field(DEFAULT_DEVIATION_PENALTY, ge=0, le=1, description="an extra parameter was filled")
    tuple: float = Field(DEFAULT_DEVIATION_PENALTY, ge=0, le=1, description="the answer was a longer tuple's prefix")

    @model_validator(mode="before")
    @classmethod
    def _one_number(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {kind: data for kind in ("name", "keyword", "parameter", "tuple")}
        return data

    def of(self, kind: str) -> float:
        """The penalty of one kind of deviation (0 for a dtype retry)."""
        return getattr(self, kind, 0.0) if kind != "dtype" else 0.0


class CheckSpec(BaseModel):
    """Fields every check has in the rubric."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    kind: str
    points: float = Field(ge=0)
    title: str = ""
    visibility: Literal["public", "hidden"] = "public"
    deviation_penalty: DeviationPenalty | None = Field(None, description="this check's own deduction for "
                                                       "deviations (else the question's, else the rubric's)")


@dataclass
class PlanContext:
    """What planning needs to know besides the spec.

    ``interface``: every name the question's checks ask the student's file for (none of them may stand in
    for another); ``deviation_penalty``: the question's (or the rubric's) deduction for deviations;
    ``starter``: the folder of the files students start from, when there is one."""

    seed: int
    question: str
    device: str = "cpu"
    timeout: float = 10.0
    skip_tags: tuple[str, ...] = ()
    interface: tuple[str, ...] = ()
    deviation_penalty: DeviationPenalty = field(default_factory=DeviationPenalty)
    starter: Path | None = None


@dataclass
class Plan:
    """The probes a check needs on each side (reference and student)."""

    student: list[Probe] = field(default_factory=list)
    reference: list[Probe] = field(default_factory=list)


@dataclass
class Evidence:
    """Everything a check may look at when scoring one submission."""

    student: FileObservations
    reference: FileObservations | None
    submission_dir: Path
    ctx: PlanContext
    memo: dict[Any, Any] = field(default_factory=dict)
    mistakes: list[KnownMistake] = field(default_factory=list)  # the reference's mutants, observed on this question

    def remember(self, key: Any, compute) -> Any:
        """``compute()`` once per key for this submission (e.g. a parsed source file)."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def student_probe(self, probe_id: str) -> Observation:
        """The student's observation for a probe (``not_run`` when absent)."""
        return self.student.probes.get(probe_id) or Observation(probe_id=probe_id, status="not_run",
                                                               detail="the probe did not run")

    def reference_probe(self, probe_id: str) -> Observation | None:
        """The reference's observation for a probe, if the reference ran it."""
        return self.reference.probes.get(probe_id) if self.reference else None


@dataclass
class Verdict:
    """A check's judgement: the fraction of its points earned and why."""

    fraction: float
    message: str
    status: Status | None = None
    details: dict[str, Any] = field(default_factory=dict)
    deviations: list[Deviation] = field(default_factory=list)  # found in the parent (a longer tuple's prefix)

    def final_status(self) -> Status:
        """``pass``/``partial``/``fail`` from the fraction unless the check set one."""
        if self.status:
            return self.status
        return "pass" if self.fraction >= 1 else "fail" if self.fraction <= 0 else "partial"


class CheckKind(Protocol):
    """What the registry expects of each module in ``grader/checks/``."""

    Spec: type[CheckSpec]

    def plan(self, spec: Any, ctx: PlanContext) -> Plan: ...

    def score(self, spec: Any, evidence: Evidence) -> Verdict: ...


def probe_problem(obs: Observation, defined: list[str], module_file: str) -> str | None:
    """A student-facing sentence when a probe did not complete, else None."""
    if obs.status == "ok":
        return None
    if obs.error and obs.error.type == "MissingName":
        return missing_name_message(obs.error.message, defined, module_file)
    if obs.error and obs.error.type == "LookupError" and not obs.error.traceback:
        return obs.error.message  # a driver saying what it did not find in the student's code
    if obs.error:
        return error_sentence(obs.error)
    if obs.status == "crashed":
        return f"the call did not complete: {obs.detail}"  # the runner's detail: "the process was killed by ..."
    if obs.status == "timeout" and not obs.detail.startswith("not run"):  # not the file's spent time budget
        return f"the call {obs.detail}"
    return obs.detail or obs.status


def missing_name_message(name: str, defined: list[str], module_file: str) -> str:
    """``question1.py defines no `foo` (it defines: a, b; did you mean `fo`?)``."""
    short = name.split(".")[-1]
    if "." in name:
        text = f"the object has no attribute `{short}`"
    else:
        listed = ", ".join(defined[:20]) or "nothing public"
        text = f"{module_file} defines no `{short}` (it defines: {listed})"
    close = difflib.get_close_matches(short, defined, n=1, cutoff=0.6)
    return text + (f"; did you mean `{close[0]}`?" if close else "")


def tolerance_for(cpu: Tolerance, gpu: Tolerance | None, device: str) -> Tolerance:
    """The rubric's GPU tolerance on a CUDA device when it gives one, else the CPU tolerance."""
    return gpu if gpu is not None and device.startswith("cuda") else cpu


def reference_problem(obs: Observation | None) -> Verdict | None:
    """An ``error`` verdict when the reference itself failed a probe (a rubric or reference bug)."""
    if obs is None:
        return Verdict(0.0, "the reference observations for this check are missing; run `grade reference`",
                       status="grader_error")
    if obs.status != "ok":
        why = obs.error.one_line() if obs.error else obs.detail
        return Verdict(0.0, f"the reference solution failed this probe ({why}); the rubric needs fixing",
                       status="grader_error")
    return None
