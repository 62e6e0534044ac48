"""Whose failure a probe's exception was, in words: the student's code, the call the check made, or the grader.

The child says where an exception was raised (``frames``); the parent adds what the failing step was
for, from its own probe, and words the message. A failure the grader owns is never "your code raised":
the check gets the ``grader_error`` status, which earns nothing more than ``error`` (the child's word
must not raise a mark) and puts the check on the instructor's list.
"""
from __future__ import annotations

from grader.observe import ErrorInfo, FileObservations, Observation
from grader.sandbox.protocol import Probe, Step

NOT_YOURS = ("this is a failure of the grader, not of your code: it is on your instructor's list of grader "
             "errors to look at")


def _target(step: Step) -> str:
    return step.call or step.driver or step.set or step.read or step.grad or ""


def _main_step(steps: list[Step]) -> Step | None:
    """The step whose result the check observes first (the call under test, or a driver run)."""
    return next((s for s in steps if s.observe and (s.call or s.driver)), None)


def step_context(steps: list[Step], index: int) -> str:
    """What step ``index`` of a probe was for, as a phrase that follows "raised ...": "" for the call under test."""
    step = steps[index]
    main = _main_step(steps)
    if step.driver:
        return f" while the grader's `{step.driver}` run used your code"
    if step.set:
        return f" while the check set `{step.set}`"
    if step.read:
        return f" while the check read `{step.read}`"
    if step is main or not step.call:
        return ""
    if step.save == "obj" and index == 0:
        return f" while the check built the object `{step.call}(...)`"
    after = f" before `{_target(main)}`" if main is not None else ""
    return f" in `{step.call}`, which this check calls first to set up{after}"


def attribute(observations: FileObservations, probes: list[Probe]) -> None:
    """Write, on every probe error, what the failing step was for (from the parent's own probe, never the child's)."""
    for probe in probes:
        obs = observations.probes.get(probe.id)
        error = obs.error if obs is not None and obs.status == "error" else None
        if error is None:
            continue
        error.context = ""
        if error.step is not None and error.step < len(probe.steps):
            error.context = step_context(probe.steps, error.step)
            if error.origin == "call" and not error.context:
                error.context = f" when the check called `{_target(probe.steps[error.step])}`"


def error_sentence(error: ErrorInfo) -> str:
    """The sentence a student reads for an exception, worded by where it came from."""
    if error.origin == "grader":
        where = f" ({error.where})" if error.where else ""
        return f"the grader's own code raised {error.type}: {error.message}{where}{error.context}; {NOT_YOURS}"
    if error.origin == "call" and error.type == "TypeError":
        return f"{error.type}: {error.message}{error.context} (the call did not fit the function's parameters)"
    return f"your code raised {error.one_line()}{error.context}"


def grader_fault(obs: Observation | None) -> bool:
    """Whether a probe failed in the grader's own code (by the child's reading: wording and status only)."""
    return obs is not None and obs.status == "error" and obs.error is not None and obs.error.origin == "grader"


def grader_faults(student: FileObservations, reference: FileObservations | None, student_probes: list[Probe],
                  reference_probes: list[Probe]) -> list[str]:
    """Sentences for every failure of a check's probes that is the grader's or the rubric's, not the student's."""
    found = []
    for probe in reference_probes:
        ref = reference.probes.get(probe.id) if reference else None
        if ref is None or ref.status != "ok":
            found.append(f"the reference solution did not complete the probe {probe.id}: the rubric or the reference "
                         "needs fixing")
    for probe in student_probes:
        obs = student.probes.get(probe.id)
        if grader_fault(obs):
            found.append(error_sentence(obs.error))
    return found
