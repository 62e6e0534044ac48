"""Running the audit's mutants of the reference on the probes of the value, gradient and step checks, once
per rubric version, and caching what they observed beside the reference's observations.

A question is left out when its reference takes longer than ``IMPORT_BUDGET`` to import (a script that
trains at import): running every mutant of it would cost minutes for one message.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.atomic import write_atomic
from grader.authoring import mutants
from grader.authoring.mutants import Mutant, generate
from grader.diagnosis.known import NEVER_OBSERVABLE, KnownMistake
from grader.grading import run_question
from grader.observe import FileObservations, load_file_observations, save_file_observations
from grader.plan import GradingPlan, QuestionPlan
from grader.reference_cache import reference_folder
from grader.scratch import scratch_folder
from grader.sandbox.parent.launcher import Launcher

DIAGNOSED_KINDS = ("value", "gradient", "step")
IMPORT_BUDGET = 2.0  # seconds the reference's file may take to import for its mutants to be run


def diagnosed_plan(qplan: QuestionPlan) -> QuestionPlan | None:
    """The question with only the checks whose failures are diagnosed (None when it has none)."""
    kept = [c for c in qplan.question.checks if c.kind in DIAGNOSED_KINDS and qplan.checks[c.id].student]
    if not kept:
        return None
    return dataclasses.replace(qplan, question=qplan.question.model_copy(update={"checks": kept}),
                               checks={c.id: qplan.checks[c.id] for c in kept})


def _relevant(mutant: Mutant, qplan: QuestionPlan) -> bool:
    """A mutant the diagnosed checks can observe: of module-level code, or of a function one of them names."""
    if mutant.operator in NEVER_OBSERVABLE:
        return False
    if not mutant.function:
        return True
    name = mutant.function.split(".")[-1]
    return any(name in c.model_dump_json() for c in qplan.question.checks if c.id in qplan.checks)


def _observe(plan: GradingPlan, qplan: QuestionPlan, mutant: Mutant, launcher: Launcher) -> FileObservations:
    with scratch_folder("grade-known-mistake-") as folder:
        shutil.copytree(plan.assignment.reference_dir, folder, dirs_exist_ok=True)
        (folder / qplan.question.file).write_text(mutant.source)
        return run_question(plan, qplan, folder, "student", launcher)


def _run_question(plan: GradingPlan, qplan: QuestionPlan, launcher: Launcher, jobs: int) -> list[KnownMistake]:
    path = plan.assignment.reference_dir / qplan.question.file
    chosen = [m for m in generate(qplan.question.id, path.read_text()) if _relevant(m, qplan)]
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        observed = list(pool.map(lambda m: _observe(plan, qplan, m, launcher), chosen))
    return [KnownMistake(question=qplan.question.id, operator=m.operator, function=m.function,
                         description=m.description, observations=obs)
            for m, obs in zip(chosen, observed) if obs.imported.status == "ok"]


def _save(folder: Path, mistakes: list[KnownMistake]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for k, mistake in enumerate(mistakes):
        save_file_observations(mistake.observations, folder / f"m{k}")
    index = [mistake.model_dump(exclude={"observations"}) for mistake in mistakes]
    write_atomic(folder / "index.json", json.dumps(index))


def _load(folder: Path) -> list[KnownMistake]:
    index = json.loads((folder / "index.json").read_text())
    return [KnownMistake(**entry, observations=load_file_observations(folder / f"m{k}"))
            for k, entry in enumerate(index)]


def _operators_version() -> str:
    """A hash of the mutation operators' source: other operators, other mutants, another cache."""
    return hashlib.sha256(Path(mutants.__file__).read_bytes()).hexdigest()[:12]


def known_mistakes(plan: GradingPlan, reference: dict[str, FileObservations], launcher: Launcher,
                   jobs: int = 1) -> dict[str, list[KnownMistake]]:
    """Per question, the mutants' observations: read from the cache, else run once and cached."""
    found: dict[str, list[KnownMistake]] = {}
    for qid, qplan in plan.questions.items():
        diagnosed = diagnosed_plan(qplan)
        ref = reference.get(qid)
        source = plan.assignment.reference_dir / qplan.question.file
        if diagnosed is None or ref is None or ref.imported.status != "ok" or not source.is_file() \
                or ref.imported.seconds > IMPORT_BUDGET:
            continue
        folder = reference_folder(plan) / f"known-mistakes-{_operators_version()}" / qid
        try:
            found[qid] = _load(folder)
            continue
        except (OSError, ValueError, KeyError, TypeError):
            pass
        found[qid] = _run_question(plan, diagnosed, launcher, jobs)
        _save(folder, found[qid])
    return found


class MistakesLater(Mapping):
    """``known_mistakes`` read (or run) in a thread while the batch starts: the first submission's first file runs
    meanwhile, and whoever asks for a question's mistakes (to score it) waits for them."""

    def __init__(self, plan: GradingPlan, reference: dict[str, FileObservations], launcher: Launcher,
                 jobs: int = 1) -> None:
        self._done = threading.Event()
        self._found: dict[str, list[KnownMistake]] = {}
        self._error: BaseException | None = None
        threading.Thread(target=self._load, args=(plan, reference, launcher, jobs), daemon=True,
                         name="known-mistakes").start()

    def _load(self, plan, reference, launcher, jobs) -> None:
        try:
            self._found = known_mistakes(plan, reference, launcher, jobs)
        except BaseException as exc:  # noqa: BLE001 - raised where the mistakes are asked for
            self._error = exc
        finally:
            self._done.set()

    def _ready(self) -> dict[str, list[KnownMistake]]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._found

    def __getitem__(self, question: str) -> list[KnownMistake]:
        return self._ready()[question]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ready())

    def __len__(self) -> int:
        return len(self._ready())
