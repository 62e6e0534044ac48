"""Running the reference once per rubric version and caching its observations on disk.

The key hashes the validated rubric (seeds included), every file of the reference folder, the
torch version, the device and the grader version.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import torch

from grader import __version__
from grader.cache import cache_root
from grader.grading import run_question
from grader.observe import FileObservations, load_file_observations, save_file_observations
from grader.plan import GradingPlan
from grader.sandbox.parent.launcher import Launcher

CACHE_FORMAT = 2  # raise when the stored layout of observations changes


def reference_key(plan: GradingPlan) -> str:
    """The content hash that names a reference run."""
    assignment = plan.assignment
    h = hashlib.sha256()
    h.update(assignment.rubric.model_dump_json().encode())  # the validated rubric, seeds included
    if assignment.reference_dir.is_dir():
        for path in sorted(assignment.reference_dir.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(assignment.reference_dir)).encode())
                h.update(path.read_bytes())
    h.update(f"{torch.__version__}|{plan.device}|{__version__}|{CACHE_FORMAT}".encode())
    return h.hexdigest()[:24]


def reference_folder(plan: GradingPlan) -> Path:
    """Where the reference run of ``plan`` is cached (its known mistakes are cached there too)."""
    return cache_root() / plan.assignment.rubric.assignment / reference_key(plan)


def reference_observations(plan: GradingPlan, launcher: Launcher | None = None,
                           refresh: bool = False) -> tuple[dict[str, FileObservations], bool]:
    """The reference's observations per question, and whether they came from the cache."""
    assignment = plan.assignment
    folder = reference_folder(plan)
    paths = {qid: folder / qid for qid in plan.questions}
    if not refresh and all((p.parent / f"{p.name}.json").exists() for p in paths.values()):
        try:
            return {qid: load_file_observations(p) for qid, p in paths.items()}, True
        except (OSError, ValueError):
            pass
    observed = {}
    for qid, qplan in plan.questions.items():
        obs = run_question(plan, qplan, assignment.reference_dir, "reference", launcher)
        if obs.imported.status == "ok":
            save_file_observations(obs, paths[qid])
        observed[qid] = obs
    return observed, False


def import_problems(reference: dict[str, FileObservations]) -> list[str]:
    """``question: why`` for every question whose reference file does not import."""
    return [f"{qid}: {obs.imported.explain()}" for qid, obs in reference.items() if obs.imported.status != "ok"]
