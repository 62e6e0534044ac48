"""Names Moodle gives its files, and the feedback-files zip ("Upload multiple feedback files in a zip").

The submissions zip names each student ``Full Name_123`` (``clean_filename`` of the full name with
underscores made spaces, and the participant id). Moodle's feedback importer splits every path
part at ``_`` and reads the second piece as the participant id and the next two as the plugin,
so the name part must hold no underscore: ``Full Name_123_assignfeedback_file/report.html``.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from grader.results import Result
from grader.store import BatchStore

STUDENT_ID = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)(?:_assignsubmission_[a-z]+_?)?$")
_PARAM_FILE = re.compile(r"[\x00-\x1f\x7f&<>\"`|':\\/]")  # what Moodle's clean_filename (PARAM_FILE) removes


def moodle_ids(results: list[Result]) -> dict[str, tuple[str, str]]:
    """``{moodle id: (student folder, full name)}`` for students whose folder is ``Full Name_123``."""
    found = {}
    for result in results:
        match = STUDENT_ID.match(result.student)
        if match:
            found[match["id"]] = (result.student, match["name"])
    return found


def moodle_prefix(full_name: str, moodle_id: str) -> str:
    """``Full Name_123`` as Moodle writes it: underscores become spaces, PARAM_FILE characters go."""
    return _PARAM_FILE.sub("", full_name.replace("_", " ")).strip() + f"_{moodle_id}"


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
