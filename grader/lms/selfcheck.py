"""The self-check folder of a student handout: the public checks and the reference's answers to them.

Inside a handout made by ``grade bundle``::

    selfcheck/rubric.yaml                 the rubric with its public checks only
    selfcheck/expected/<question>.json    the reference's observations of the public probes
    selfcheck/expected/<question>.tensors (raw tensor buffers, no pickle)
    selfcheck/about.json                  assignment, grader and torch versions, device

Nothing about hidden checks is written: not their specs, not their inputs, not their answers.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
import yaml

from grader import __version__
from grader.assignments import Assignment
from grader.course.course_drivers import DRIVERS_FILE
from grader.observe import FileObservations, ImportInfo, load_file_observations, save_file_observations
from grader.plan import GradingPlan
from grader.rubric import Rubric, RubricError, load_rubric

SELFCHECK_DIR = "selfcheck"


def public_rubric(rubric: Rubric) -> Rubric:
    """The rubric without its hidden checks (questions left with no check are dropped)."""
    questions = []
    for question in rubric.questions:
        checks = [c for c in question.checks if c.visibility == "public"]
        if checks:
            questions.append(question.model_copy(update={"checks": checks, "points": None}))
    if not questions:
        raise RubricError([f"{rubric.assignment}: every check is hidden, so a handout would have nothing to "
                           "self-check — mark some checks `visibility: public`"])
    return rubric.model_copy(update={"questions": questions})


def expected_observations(plan: GradingPlan, reference: dict[str, FileObservations]) -> dict[str, FileObservations]:
    """The reference's observations of the probes of ``assignment``'s checks only (e.g. the public
    ones), without the reference's output."""
    kept = {}
    for qid, qplan in plan.questions.items():
        wanted = {probe.id for probe in qplan.probes("reference")}
        full = reference[qid]
        probes = {pid: obs.model_copy(update={"stdout": ""}) for pid, obs in full.probes.items() if pid in wanted}
        kept[qid] = FileObservations(module_file=full.module_file,
                                             imported=ImportInfo(status=full.imported.status), probes=probes)
    return kept


def write_selfcheck(handout: Path, rubric: Rubric, observations: dict[str, FileObservations], device: str,
                    header: str = "", drivers: Path | None = None) -> Path:
    """Write the self-check folder into ``handout`` (``header`` heads rubric.yaml; ``drivers``, the course's own
    drivers file, goes beside it); returns its path."""
    folder = handout / SELFCHECK_DIR
    (folder / "expected").mkdir(parents=True, exist_ok=True)
    if drivers is not None:
        shutil.copyfile(drivers, folder / DRIVERS_FILE)
    data = rubric.model_dump(mode="json", exclude_defaults=True, exclude={"cluster"})
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)
    (folder / "rubric.yaml").write_text(header + text)
    for qid, obs in observations.items():
        save_file_observations(obs, folder / "expected" / qid)
    about = {"assignment": rubric.assignment, "grader_version": __version__, "torch_version": torch.__version__,
             "device": device}
    (folder / "about.json").write_text(json.dumps(about, indent=2) + "\n")
    return folder


def find_selfcheck(start: Path) -> Path | None:
    """``selfcheck/`` in ``start`` or the nearest parent folder that has one."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SELFCHECK_DIR / "rubric.yaml").is_file():
            return folder / SELFCHECK_DIR
    return None


def load_selfcheck(folder: Path) -> tuple[Assignment, dict[str, FileObservations]]:
    """The public rubric and the reference's answers stored in a self-check folder."""
    rubric = load_rubric(folder / "rubric.yaml")
    expected = {}
    for question in rubric.questions:
        path = folder / "expected" / question.id
        try:
            expected[question.id] = load_file_observations(path)
        except (OSError, ValueError) as exc:
            raise RubricError([f"{path}.json: the expected answers cannot be read ({exc}) — "
                               "unpack the handout again"]) from None
    return Assignment(rubric.assignment, rubric, folder / "rubric.yaml", folder), expected
