"""An ordinary user grades on Slurm and on their own machine and gets a clean root batch's marks, with root's
namespace layers built inside an unprivileged user namespace where the kernel allows one."""
from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.slurm.course import copy_course, expected, grade_command, make_submissions, run_batch, stored
from tests.users import as_user, give_to_user, python_for_user

pytestmark = pytest.mark.slurm

# what a user namespace gives an ordinary user in place of root's layers
USERNS_LAYERS = {"user-namespace", "network-namespace", "ipc-namespace", "pid-namespace", "tmpfs-quota",
                 "no-capabilities"}


def user_namespaces_work() -> bool:
    """Whether the test user may create a user, network and pid namespace (``unshare -Urnp``)."""
    done = subprocess.run(as_user(["unshare", "-Urnp", "--fork", "true"]), check=False, capture_output=True)
    return done.returncode == 0


def grade_as_user(course: tuple[Path, dict[str, dict]], base: Path, executor: str) -> dict[str, dict]:
    """Grade two students as ``nobody`` with ``executor`` in folders under ``base``; their stored results."""
    root, _ = course
    base.chmod(0o755)
    python, why = python_for_user(base)
    if python is None:
        pytest.skip(why)
    course_dir = copy_course(root, base / "course")
    subs = make_submissions(base / "subs", NAMES)
    for folder in ("cache", "home"):
        (base / folder).mkdir()
    give_to_user(base)
    out = base / "out"
    command = grade_command(subs, out, "--executor", executor, "-j", "1", "--mem-gb", "1", "--per-task", "1",
                            python=python)
    code, output = run_batch(course_dir, as_user(command),
                             env={"GRADER_CACHE_DIR": str(base / "cache"), "HOME": str(base / "home")})
    assert code == 0, output
    return stored(out)


NAMES = ["a_ann", "c_cat"]


@pytest.fixture
def user_folder() -> Iterator[Path]:
    """A folder the test user can reach (pytest's own temporary folders are root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="grader-user-"))
    yield base
    subprocess.run(["rm", "-rf", str(base)], check=False)


@pytest.mark.parametrize("executor", ["local", "slurm"])
def test_an_ordinary_user_gets_the_same_marks(slurm, course, user_folder, executor):
    results = grade_as_user(course, user_folder, executor)
    for result in results.values():
        del result["sandbox"], result["sandbox_missing"]
    expected_results = expected(course[1], NAMES)
    assert results == {name: {k: v for k, v in r.items() if k not in ("sandbox", "sandbox_missing")}
                       for name, r in expected_results.items()}


@pytest.mark.parametrize("executor", ["local", "slurm"])
def test_an_ordinary_user_gets_the_namespace_layers(slurm, course, user_folder, executor):
    if not user_namespaces_work():
        pytest.skip("this kernel does not let ordinary users create user namespaces")
    for result in grade_as_user(course, user_folder, executor).values():
        assert USERNS_LAYERS <= set(result["sandbox"]), result["sandbox_missing"]
        assert [m.split(" (")[0] for m in result["sandbox_missing"]] == ["pids-cgroup", "memory-cgroup"]
