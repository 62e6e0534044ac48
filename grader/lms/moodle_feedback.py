"""Names Moodle gives its files, and the feedback-files zip ("Upload multiple feedback files in a zip").

The submissions zip names each student ``Full Name_123`` (``clean_filename`` of the full name with
underscores made spaces, and the participant id). Moodle's feedback importer splits every path
part at ``_`` and reads the second piece as the participant id and the next two as the plugin,
so the name part must hold no underscore: ``Full Name_123_assignfeedback_file/report.html``.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from grader.lms.moodle_names import moodle_ids, moodle_prefix
from grader.results import Result
from grader.store import BatchStore

def feedback_zip(path: Path, results: list[Result], store: BatchStore) -> int:
    """``Full Name_123_assignfeedback_file/report.html`` for every student with a Moodle id; the count."""
    count = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for moodle_id, (student, name) in sorted(moodle_ids(results).items()):
            report = store.report_path(student)
            if report.is_file():
                archive.write(report, f"{moodle_prefix(name, moodle_id)}_assignfeedback_file/report.html")
                count += 1
    return count
