"""An ordinary user grades on Slurm and on their own machine with the same sandbox layers, built in an
unprivileged user namespace where the kernel allows one."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.slurm.course import copy_course, expected, grade_command, make_submissions, run_batch, stored
from tests.slurm.users import as_user, give_to_user, python_for_user

pytestmark = pytest.mark.slurm

# what a user namespace gives an ordinary user in place of root's layers
USERNS_LAYERS = {"network-namespace", "pid-namespace", "tmpfs-quota", "no-capabilities"}


def user_namespaces_work() -> bool:
    """Whether the test user may create a user, network and pid namespace (``unshare -Urnp``)."""
    done = subprocess.run(as_user(["unshare", "-Urnp", "--fork", "true"]), check=False, capture_output=True)
    return done.returncode == 0


@pytest.mark.parametrize("executor", ["local", "slurm"])
def test_an_ordinary_user_grades_the_batch(slurm, course, executor):
    root, local = course
    base = Path(tempfile.mkdtemp(prefix="grader-user-"))  # not under pytest's root-only folder
    try:
        base.chmod(0o755)
        python, why = python_for_user(base)
        if python is None:
            pytest.skip(why)
        names = ["a_ann", "c_cat"]
        course_dir = copy_course(root, base / "course")
        subs = make_submissions(base / "subs", names)
        for folder in ("cache", "home"):
            (base / folder).mkdir()
        give_to_user(base)
        out = base / "out"
        command = grade_command(subs, out, "--executor", executor, "-j", "1", "--mem-gb", "1", "--per-task", "1",
                                python=python)
        code, output = run_batch(course_dir, as_user(command),
                                 env={"GRADER_CACHE_DIR": str(base / "cache"), "HOME": str(base / "home")})
        assert code == 0, output
        results = stored(out)
        layers = {key: [r.pop(key) for r in results.values()] for key in ("sandbox", "sandbox_missing")}
        assert results == {name: {k: v for k, v in r.items() if k not in layers}
                           for name, r in expected(local, names).items()}
        if user_namespaces_work():
            for active in layers["sandbox"]:
                assert USERNS_LAYERS <= set(active), active
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)
