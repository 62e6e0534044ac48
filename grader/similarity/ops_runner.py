"""Running every graded call of a question again in the sandbox, traced, for each student and the reference."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from grader.handins.notebooks import NotebookError
from grader.handins.staging import stage
from grader.plan import GradingPlan, QuestionPlan
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.parent.pool import make_launcher
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import Probe, SandboxSettings
from grader.similarity.ops import OpsTable, Sequence


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


def _sequences(plan: GradingPlan, qplan: QuestionPlan, folder: Path, chosen: str, probes: list[Probe],
               launcher: Launcher) -> dict[str, Sequence]:
    """The op sequence of each probe that ran to the end, for one folder."""
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
    return {pid: tuple(obs.sequence) for pid, obs in observed.probes.items() if obs.status == "ok" and obs.sequence}


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
            reference = pool.submit(_sequences, plan, qplan, reference_dir, question.file, probes, launcher)
            futures = {owner: pool.submit(_sequences, plan, qplan, q.folders[owner], doc.file, probes, launcher)
                       for owner, doc in q.documents.items()}
            return OpsTable({owner: f.result() for owner, f in futures.items()}, reference.result())

    return run
