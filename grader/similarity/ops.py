"""The ops view: which torch ops each graded call ran, compared across the class.

Every call the rubric's checks make is run again in the sandbox with tracing on (the child's
``OpRecorder`` counts each torch function a call reaches, however it was spelt). Two files whose
surface was rewritten (loops for ``einsum``, helpers inlined) still run alike. What the reference
runs, and what many students run, is what the question asks for and is no evidence; a profile
that only these two students share is. The child records counts, not order: two calls that run
the same ops in another order look the same here.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.handins.notebooks import NotebookError
from grader.handins.staging import stage
from grader.plan import GradingPlan, QuestionPlan
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.parent.pool import make_launcher
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import Probe, SandboxSettings
from grader.similarity.models import OpsMatch

Profile = dict[str, int]


def _signature(profile: Profile) -> frozenset:
    return frozenset(profile.items())


def alike(a: Profile, b: Profile) -> float:
    """Multiset Jaccard of two op profiles: shared calls over all calls, 0 to 1."""
    keys = a.keys() | b.keys()
    top = sum(max(a.get(k, 0), b.get(k, 0)) for k in keys)
    return sum(min(a.get(k, 0), b.get(k, 0)) for k in keys) / top if top else 0.0


@dataclass
class OpsTable:
    """Each student's op profile per graded call (probe id), and the reference's."""

    profiles: dict[str, dict[str, Profile]]
    reference: dict[str, Profile] = field(default_factory=dict)
    frequency: dict[str, Counter] = field(init=False)

    def __post_init__(self) -> None:
        self.frequency = {}
        for probes in self.profiles.values():
            for probe, profile in probes.items():
                self.frequency.setdefault(probe, Counter())[_signature(profile)] += 1

    def _evidence(self, probe: str, a: Profile, b: Profile) -> tuple[float, int, bool]:
        """(alike x rarity, students with either profile, whether either is the reference's)."""
        reference = self.reference.get(probe)
        as_reference = reference is not None and (a == reference or b == reference)
        counts = self.frequency[probe]
        same = counts[_signature(a)] + (counts[_signature(b)] if a != b else 0)
        others = len(self.profiles) - 2
        rarity = 1.0 - (same - 2) / others if others > 0 else 1.0
        return (0.0 if as_reference else alike(a, b) * max(0.0, rarity)), same, as_reference

    def similarity(self, a: str, b: str) -> float | None:
        """Mean evidence over the calls both ran (None when they share none)."""
        pa, pb = self.profiles.get(a, {}), self.profiles.get(b, {})
        common = sorted(pa.keys() & pb.keys())
        if not common:
            return None
        return sum(self._evidence(p, pa[p], pb[p])[0] for p in common) / len(common)

    def matches(self, a: str, b: str, most: int = 12) -> list[OpsMatch]:
        """The calls both ran, with both profiles, strongest evidence first."""
        pa, pb = self.profiles.get(a, {}), self.profiles.get(b, {})
        found = []
        for probe in sorted(pa.keys() & pb.keys()):
            evidence, same, as_reference = self._evidence(probe, pa[probe], pb[probe])
            found.append((evidence, OpsMatch(probe=probe, a=pa[probe], b=pb[probe], similarity=round(alike(
                pa[probe], pb[probe]), 3), same_in_class=same, as_reference=as_reference)))
        return [m for _, m in sorted(found, key=lambda item: -item[0])[:most]]


def traced_probes(qplan: QuestionPlan) -> list[Probe]:
    """The question's student probes that call functions, every call step traced (driver probes left out)."""
    probes, seen = [], set()
    for probe in qplan.probes("student"):
        if probe.id in seen or any(s.driver for s in probe.steps) or not any(s.call for s in probe.steps):
            continue
        seen.add(probe.id)
        steps = [s.model_copy(update={"trace": True}) if s.call else s for s in probe.steps]
        probes.append(probe.model_copy(update={"steps": steps}))
    return probes


def _profiles(plan: GradingPlan, qplan: QuestionPlan, folder: Path, chosen: str, probes: list[Probe],
              launcher: Launcher) -> dict[str, Profile]:
    """Op counts per probe that ran to the end, for one folder."""
    rubric = plan.assignment.rubric
    try:
        staged = stage(folder, chosen, plan.course)
    except NotebookError:
        return {}
    try:
        observed = run_file(staged.module_file, staged.folder, probes, seed=rubric.seed,
                            import_timeout=qplan.question.import_timeout, launcher=launcher,
                            sandbox=SandboxSettings(**rubric.limits.model_dump()))
    finally:
        staged.close()
    return {pid: dict(obs.ops) for pid, obs in observed.probes.items() if obs.status == "ok" and obs.ops}


def sandbox_ops_runner(plan: GradingPlan, jobs: int = 1) -> Callable[[Any], OpsTable | None]:
    """A function of a ``QuestionInput`` that runs its graded calls for every student: an OpsTable, or
    None for a question whose calls cannot run offline in seconds (it downloads data) or that has none."""
    def run(q: Any) -> OpsTable | None:  # an engine.QuestionInput
        qplan = plan.questions[q.id]
        question = qplan.question
        probes = traced_probes(qplan)
        if not probes or question.offline_data or not q.folders:
            return None
        reference_dir = plan.assignment.reference_dir
        with make_launcher("auto", size=max(1, jobs)) as launcher, ThreadPoolExecutor(max(1, jobs)) as pool:
            reference = pool.submit(_profiles, plan, qplan, reference_dir, question.file, probes, launcher)
            futures = {owner: pool.submit(_profiles, plan, qplan, q.folders[owner], doc.file, probes, launcher)
                       for owner, doc in q.documents.items()}
            return OpsTable({owner: f.result() for owner, f in futures.items()}, reference.result())

    return run