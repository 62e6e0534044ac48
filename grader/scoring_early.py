"""Checks scored as their file's replies come: a check whose probes have all replied is scored then, in the
scoring thread, while the child runs the probes after them (question 2's training run is one of its last).

A check's verdict reads the file's import, its own probes' observations (the student's and the reference's),
the submission's files and the rubric (``checks/scoring.py``, ``grading._owned``); once its probes have
replied, none of those changes. So it is scored on a copy of what has come so far, and the verdict is kept
at the question's scoring when the question's final observations hold the very same observation for each of
its probes and the file imported; anything else (a probe answered by a later child, a check that raised) is
scored with the rest. Checks without probes of the student's, and those scored while their file runs
(``scoring_ahead``), are left to those.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from grader.checks.base import Evidence, Verdict
from grader.diagnosis.blame import attribute
from grader.diagnosis.known import KnownMistake
from grader.observe import FileObservations, ImportInfo, Observation
from grader.plan import QuestionPlan
from grader.scoring_ahead import reads_files_only

Scorer = Callable[[Evidence, str], Verdict]  # a check's verdict as the question's scoring records it


class EarlyScoring:
    """One question's checks of one submission, scored as their probes reply (``reply``, from the watching
    thread); ``submit`` hands work to the scoring thread."""

    def __init__(self, qplan: QuestionPlan, module_file: str, submission: Path, reference: FileObservations | None,
                 mistakes: list[KnownMistake], score: Scorer, submit: Callable[..., Future]) -> None:
        self.qplan, self.module_file, self.score, self.submit = qplan, module_file, score, submit
        self.evidence = Evidence(student=FileObservations(module_file=module_file, imported=ImportInfo(status="error")),
                                 reference=reference, submission_dir=submission, ctx=qplan.ctx, mistakes=mistakes)
        self.missing = {check.id: {p.id for p in qplan.checks[check.id].student} for check in qplan.question.checks
                        if qplan.checks[check.id].student and not reads_files_only(check)}
        self.probes = {p.id: p for p in qplan.probes("student")}
        self.scored: list[Future] = []

    def reply(self, probe_id: str, observation: Observation, imported: ImportInfo) -> None:
        """One probe's observation as it arrives, after the import report ``imported``: the checks it completes go
        to the scoring thread, on a copy of the observations so far (the watching thread goes on adding to them)."""
        try:
            self._reply(probe_id, observation, imported)
        except Exception:  # noqa: BLE001 - never the child's fault: its checks are scored with the rest
            self.missing.clear()

    def _reply(self, probe_id: str, observation: Observation, imported: ImportInfo) -> None:
        probe = self.probes.get(probe_id)
        if probe is None:
            return
        self.evidence.student.imported = imported
        so_far = self.evidence.student.probes
        so_far[probe_id] = observation
        attribute(FileObservations.model_construct(probes={probe_id: observation}), [probe])
        ready = []
        for check_id, missing in self.missing.items():
            if probe_id in missing:
                missing.discard(probe_id)
                if not missing:
                    ready.append(check_id)
        if ready:
            snapshot = self.evidence.student.model_copy(update={"probes": dict(so_far)})
            self.scored.append(self.submit(self._score, ready, snapshot))

    def _score(self, check_ids: list[str], student: FileObservations) -> dict[str, tuple[Verdict, dict, list]]:
        evidence = Evidence(student=student, reference=self.evidence.reference,
                            submission_dir=self.evidence.submission_dir, ctx=self.evidence.ctx,
                            mistakes=self.evidence.mistakes)
        verdicts = {}
        for check_id in check_ids:
            try:
                verdict = self.score(evidence, check_id)
            except Exception:  # noqa: BLE001 - scored again with the rest, where its error is reported
                continue
            used = {p.id: student.probes[p.id] for p in self.qplan.checks[check_id].student}
            verdicts[check_id] = (verdict, used, student.imported.defined)
        return verdicts

    def verdicts(self, student: FileObservations) -> dict[str, Verdict]:
        """The verdicts scored early that hold for the question's final observations ``student`` (waits for the
        ones still being scored)."""
        if student.imported.status != "ok" or student.module_file != self.module_file:
            return {}
        kept = {}
        for future in self.scored:
            if future.exception() is not None:
                continue
            for check_id, (verdict, used, defined) in future.result().items():
                if defined == student.imported.defined and \
                        all(student.probes.get(probe_id) is observed for probe_id, observed in used.items()):
                    kept[check_id] = verdict
        return kept
