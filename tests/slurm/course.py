"""A small course for the Slurm tests: students right, wrong and slow, graded locally once for comparison.

A slow student sleeps at import (inside the sandbox, before defining anything), so a test knows
which submission is in flight while a task grades it, and a chunk of slow students outlasts a
short time limit.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


RUBRIC = """\
assignment: slurmtoy
seed: 11
questions:
  - id: question1
    import_timeout: 120
    checks:
      - id: scale
        kind: value
        call: scale
        args: [{tensor: [n, m]}, 3.0]
        dims: {n: [1, 2, 5], m: [1, 3]}
        trials: 3
        points: 4
      - id: writes_einsum
        kind: source
        within: [scale]
        require: [{call: torch.einsum}]
        points: 1
"""

RIGHT = "def scale(x, k):\n    return torch.einsum('ij->ij', x) * k\n"
CODE = {
    "right": RIGHT,
    "no_einsum": "def scale(x, k):\n    return x * k\n",
    "transposed": "def scale(x, k):\n    return torch.einsum('ij->ji', x) * k\n",
    "missing": "def scales(x, k):\n    return x * k\n",
}


def student_file(kind: str, sleep: float) -> str:
    """A question1.py of the given kind that first sleeps ``sleep`` seconds."""
    return f"import time\nimport torch\ntime.sleep({sleep})\n" + CODE[kind]


# name -> (kind, seconds slept at import); names sort in the order the batch chunks them
STUDENTS: dict[str, tuple[str, float]] = {
    "a_ann": ("right", 0), "b_ben": ("no_einsum", 0), "c_cat": ("transposed", 0), "d_dan": ("missing", 0),
    "s1_slow": ("right", 12), "s2_slow": ("transposed", 12),
    "t1_sleepy": ("right", 30), "t2_sleepy": ("no_einsum", 30), "t3_sleepy": ("transposed", 30),
    "t4_sleepy": ("right", 30),
    "u_uma": ("transposed", 0), "v_vic": ("no_einsum", 0), "w_wes": ("right", 0),
}


def make_course(root: Path) -> None:
    """rubrics/slurmtoy.yaml and reference/slurmtoy/ under ``root``."""
    (root / "rubrics").mkdir(parents=True, exist_ok=True)
    (root / "rubrics" / "slurmtoy.yaml").write_text(RUBRIC)
    (root / "reference" / "slurmtoy").mkdir(parents=True, exist_ok=True)
    (root / "reference" / "slurmtoy" / "question1.py").write_text("import torch\n" + RIGHT)


def make_submissions(folder: Path, names: list[str]) -> Path:
    """One sub-folder per named student of ``STUDENTS``; returns ``folder``."""
    for name in names:
        kind, sleep = STUDENTS[name]
        (folder / name).mkdir(parents=True)
        (folder / name / "question1.py").write_text(student_file(kind, sleep))
    return folder


def grade_command(subs: Path, out: Path, *options: str, python: str = sys.executable) -> list[str]:
    """``grade batch slurmtoy SUBS --out OUT OPTIONS`` as a command line."""
    return [python, "-m", "grader.cli", "batch", "slurmtoy", str(subs), "--out", str(out), *options]


def start_batch(course: Path, command: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """Run a batch in the background from ``course``, its output going to ``log``."""
    with open(log, "wb") as sink:
        return subprocess.Popen(command, cwd=course, stdout=sink, stderr=subprocess.STDOUT,
                                env={**os.environ, "COLUMNS": "200", **kwargs.pop("env", {})}, **kwargs)


def run_batch(course: Path, command: list[str], timeout: float = 240, **kwargs) -> tuple[int, str]:
    """Run a batch to its end; its exit code and everything it printed."""
    done = subprocess.run(command, check=False, cwd=course, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200", **kwargs.pop("env", {})}, **kwargs)
    return done.returncode, done.stdout + done.stderr


def wait_for(ready: Callable[[], object], what: str, timeout: float = 120, proc: subprocess.Popen | None = None,
             log: Path | None = None) -> object:
    """Poll ``ready`` until it returns something true; fail naming ``what`` (and the batch's output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := ready():
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the batch ended ({proc.returncode}) before {what}:\n{_tail(log)}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n{_tail(log)}")


def _tail(log: Path | None) -> str:
    return log.read_text(errors="replace")[-4000:] if log and log.exists() else ""


VOLATILE = {"seconds", "launcher", "student", "fingerprint"}


def strip(result: dict) -> dict:
    """A stored result without its timings, the launcher's name and what names the student's files."""
    kept = {k: v for k, v in result.items() if k not in VOLATILE}
    kept["questions"] = [{k: v for k, v in q.items() if k != "code_seconds"} for q in result["questions"]]
    return kept


def stored(out: Path) -> dict[str, dict]:
    """Every stored result of ``out``, by file name, without timings."""
    folder = out / "results"
    return {p.stem: strip(json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))} if folder.is_dir() else {}


def status(course: Path, out: Path) -> str:
    """What ``grade status --out OUT`` prints."""
    done = subprocess.run([sys.executable, "-m", "grader.cli", "status", "--out", str(out)], check=False, cwd=course,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def marks_rows(out: Path) -> list[dict]:
    """The rows of ``OUT/marks.csv``."""
    with open(out / "marks.csv", newline="") as f:
        return list(csv.DictReader(f))


def local_marks(root: Path) -> dict[str, dict]:
    """Each kind of student graded locally (``--executor local``, no sleep): ``{kind: stripped result}``."""
    make_course(root)
    subs = root / "kinds"
    for kind in CODE:
        (subs / kind).mkdir(parents=True)
        (subs / kind / "question1.py").write_text(student_file(kind, 0))
    code, output = run_batch(root, grade_command(subs, root / "local", "-j", "2"), timeout=600)
    assert code == 0, output
    return stored(root / "local")


def expected(local: dict[str, dict], names: list[str]) -> dict[str, dict]:
    """What a clean local batch stores for each named student (by the kind of their file)."""
    return {name: local[STUDENTS[name][0]] for name in names}


def copy_course(root: Path, target: Path) -> Path:
    """The course files of ``root`` in ``target`` (a folder another user may write)."""
    shutil.copytree(root / "rubrics", target / "rubrics")
    shutil.copytree(root / "reference", target / "reference")
    return target
