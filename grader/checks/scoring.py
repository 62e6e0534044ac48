"""One check's verdict as the scoring loop records it: its kind's judgement, then what no kind judges alone.

* **Deviations.** Where the student's code left the handout's interface (a close name, a renamed keyword, an
  extra parameter, a longer tuple) the grader adapted and graded the work; the rubric's ``deviation_penalty``
  (the check's, else the question's, else the rubric's) is deducted once per check, at the rate of the
  costliest deviation, and the message says exactly what deviated.
* **Stability.** A probe whose second run from the same seed came out different (``Observation.rerun``) is
  scored both ways. The same outcome both times is a note; a different one is flagged ``unstable`` and the
  lower outcome is kept, so that nondeterministic code never earns a coin flip's points.
"""
from __future__ import annotations

import dataclasses

from grader.checks.base import DeviationPenalty, Evidence, Plan, Verdict
from grader.checks.registry import kind_of
from grader.observe import Deviation, Observation

UNSTABLE_HINT = ("the code may read memory it never wrote (torch.empty) or draw random numbers that "
                 "torch.manual_seed does not govern")


def score_check(check, evidence: Evidence, plan: Plan, scored: Verdict | None = None) -> Verdict:
    """The check's verdict with deviations deducted and unstable answers flagged (``scored``: its kind's own
    verdict, when it was scored ahead)."""
    verdict = scored or kind_of(check).score(check, evidence)
    observed = [evidence.student.probes[p.id] for p in plan.student if p.id in evidence.student.probes]
    verdict = _stable(check, evidence, verdict, observed)
    deviations = [d for obs in observed for d in obs.deviations] + verdict.deviations
    return with_deviations(verdict, deviations, check.deviation_penalty or evidence.ctx.deviation_penalty)


def with_deviations(verdict: Verdict, deviations: list[Deviation], penalty: DeviationPenalty) -> Verdict:
    """``verdict`` less the penalty of its costliest deviation, saying what deviated."""
    unique = list(dict.fromkeys((d.kind, d.text) for d in deviations))
    if not unique:
        return verdict
    cut = max(penalty.of(kind) for kind, _ in unique)
    told = "; ".join(text for _, text in unique)
    if verdict.fraction <= 0:
        message = f"{verdict.message} (graded as written: {told})"
    elif cut > 0:
        message = (f"{verdict.message}; {_pct(cut)} of this check's points deducted for leaving the handout's "
                   f"interface: {told}")
    else:
        message = f"{verdict.message} (graded as written, nothing deducted: {told})"
    return dataclasses.replace(verdict, fraction=verdict.fraction * (1 - cut), message=message, deviations=[])


def _pct(share: float) -> str:
    return f"{share * 100:.4g}%"


def _again(obs: Observation) -> Observation:
    """The observation as its second run saw it (the first run's ops and deviations kept)."""
    rerun = obs.rerun
    return obs.model_copy(update={"status": rerun.status, "error": rerun.error, "values": rerun.values,
                                  "rerun": None})


def _stable(check, evidence: Evidence, verdict: Verdict, observed: list[Observation]) -> Verdict:
    """The verdict, scored again on the second runs where a probe answered differently."""
    changed = [obs for obs in observed if obs.rerun is not None]
    if not changed:
        return verdict
    probes = {**evidence.student.probes, **{obs.probe_id: _again(obs) for obs in changed}}
    second = dataclasses.replace(evidence, student=evidence.student.model_copy(update={"probes": probes}), memo={})
    other = kind_of(check).score(check, second)
    what = changed[0].unstable or "the answer came out different"
    if abs(other.fraction - verdict.fraction) < 1e-9:
        note = f" (note: {what} in a second run from the same seed, with the same outcome; {UNSTABLE_HINT})"
        return dataclasses.replace(verdict, message=verdict.message + note)
    low, high = sorted((verdict, other), key=lambda v: v.fraction)
    message = (f"unstable: {what} in a second run from the same seed, and the check's outcome changed with it "
               f"({_pct(verdict.fraction)} then {_pct(other.fraction)} of its points); the lower is kept, since "
               f"{UNSTABLE_HINT}. {low.message}")
    return dataclasses.replace(low, message=message, details={**low.details, "unstable": what},
                               deviations=verdict.deviations + other.deviations)
