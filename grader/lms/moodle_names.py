"""How Moodle names a student in its files: ``Full Name_123`` (the full name as ``clean_filename``
writes it, and the participant id), followed in the submissions zip by ``_assignsubmission_<plugin>``.
Every pattern that reads or writes these names is here."""
from __future__ import annotations

import re

from grader.results import Result

_PARTICIPANT = r"(?P<name>.+?)_(?P<id>\d+)"
SUBMISSION_FOLDER = re.compile(rf"^{_PARTICIPANT}_assignsubmission_(?P<plugin>[a-z]+)_?$")
SUBMISSION_FILE = re.compile(rf"^{_PARTICIPANT}_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")
STUDENT_ID = re.compile(rf"^{_PARTICIPANT}(?:_assignsubmission_[a-z]+_?)?$")
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
