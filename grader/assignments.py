"""Finding an assignment: its rubric and its reference folder.

A name resolves to ``rubrics/<name>.yaml``, ``reference/<name>/`` and ``starter/<name>/`` in
the current directory first (an instructor's own course folder), then in the assignments
shipped with the grader.
A path to a YAML file works too; its reference folder is ``../reference/<assignment>/`` next
to the rubric's folder, or ``reference/<assignment>/`` in the current directory.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.rubric import Rubric, RubricError, load_rubric
from grader.rubric_paths import roots, rubric_file


@dataclass
class Assignment:
    """A validated rubric with the folder of its reference solution."""

    name: str
    rubric: Rubric
    rubric_path: Path
    reference_dir: Path

    @property
    def starter_dir(self) -> Path:
        """``starter/<assignment>/`` beside ``reference/``: the files students start from."""
        return self.reference_dir.parent.parent / "starter" / self.rubric.assignment


def shipped_assignments() -> list[str]:
    """Names of the assignments found in the current directory and shipped with the grader."""
    names = set()
    for root in roots():
        names |= {p.stem for p in (root / "rubrics").glob("*.yaml")}
    return sorted(names)


def find_assignment(name_or_path: str) -> Assignment:
    """Resolve a name or a rubric path; raise RubricError naming what was looked for."""
    given = Path(name_or_path)
    if given.suffix in (".yaml", ".yml"):
        if not given.is_file():
            raise RubricError([f"{given}: no such rubric file"])
        rubric = load_rubric(given)
        candidates = [given.resolve().parent.parent / "reference" / rubric.assignment,
                      Path.cwd() / "reference" / rubric.assignment]
        reference = next((c for c in candidates if c.is_dir()), candidates[0])
        return Assignment(rubric.assignment, rubric, given, reference)
    path = rubric_file(name_or_path)
    if path is not None:
        return Assignment(name_or_path, load_rubric(path), path, path.parent.parent / "reference" / name_or_path)
    known = ", ".join(shipped_assignments()) or "none"
    looked = " and ".join(str(r / "rubrics" / f"{name_or_path}.yaml") for r in roots())
    raise RubricError([f"no assignment {name_or_path!r}: looked for {looked}. Known assignments: {known}"])
