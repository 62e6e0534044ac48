"""Checks scored while their file runs: those whose verdict reads the submission's files and nothing the child
observes but whether the file imported (``source`` rules). They are scored as if the file imports, while its
child runs, and the verdicts kept when it did import (the same file under the same name); otherwise they are
scored again with the rest. After a file's last reply only the checks that need its replies are left to score.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.checks.base import Evidence, Verdict
from grader.checks.registry import kind_of
from grader.observe import FileObservations, ImportInfo
from grader.plan import QuestionPlan


@dataclass
class AheadVerdicts:
    """The kind's own verdicts of a question's file-only checks, for ``module_file`` imported cleanly."""

    module_file: str
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def verdict(self, check_id: str, student: FileObservations) -> Verdict | None:
        """The verdict scored ahead for ``check_id``, if it holds for what the child observed."""
        if student.imported.status != "ok" or student.module_file != self.module_file:
            return None
        return self.verdicts.get(check_id)


def reads_files_only(check) -> bool:
    """Whether a check's kind declares that its verdict reads only the files and the import's outcome."""
    return getattr(kind_of(check), "READS_FILES_ONLY", False)


def score_ahead(qplan: QuestionPlan, module_file: str, submission: Path,
                reference_obs: FileObservations | None) -> AheadVerdicts:
    """The file-only checks of ``qplan`` scored for ``submission``'s file ``module_file`` (the one graded) as if it
    imports; a check that raises is left out (scored, and its error reported, with the rest)."""
    ahead = AheadVerdicts(module_file)
    checks = [c for c in qplan.question.checks if reads_files_only(c)]
    if not checks:
        return ahead
    imported = FileObservations(module_file=module_file, imported=ImportInfo(status="ok"))
    evidence = Evidence(student=imported, reference=reference_obs, submission_dir=submission, ctx=qplan.ctx)
    for check in checks:
        try:
            ahead.verdicts[check.id] = kind_of(check).score(check, evidence)
        except Exception:  # noqa: BLE001 - scored again with the rest, where its error is reported
            continue
    return ahead
