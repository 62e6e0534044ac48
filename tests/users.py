"""An ordinary user for the tests, and a Python environment that user can run.

``nobody`` exists on every Debian system and owns nothing; a test runs the grader as that user
(``setpriv``), in folders it owns. The test's own interpreter may live where other users cannot
read it (a pyenv build under ``/root``); then an environment is built from the system's Python of
the same version that reads the test environment's packages (the way a course builds one shared
environment on a cluster).
"""
from __future__ import annotations

import os
import pwd
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

USER = "nobody"


def as_user(command: list[str]) -> list[str]:
    """``command`` run as ``USER`` with no supplementary groups."""
    entry = pwd.getpwnam(USER)
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups", "--", *command]


def give_to_user(path: Path) -> None:
    """``path`` and everything under it owned by ``USER``."""
    entry = pwd.getpwnam(USER)
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.lchown(name, entry.pw_uid, entry.pw_gid)


def readable_by_user(path: str) -> bool:
    """Whether ``USER`` can read ``path`` (asked as that user, not guessed from modes)."""
    return subprocess.run(as_user(["test", "-r", path]), check=False, capture_output=True).returncode == 0


def python_for_user(folder: Path) -> tuple[str | None, str]:
    """An interpreter ``USER`` can run with this environment's packages, and why not when there is none."""
    if not shutil.which("setpriv"):
        return None, "setpriv (util-linux) is missing"
    if readable_by_user(os.path.realpath(sys.executable)) and readable_by_user(sysconfig.get_path("stdlib")):
        return sys.executable, ""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = shutil.which(version, path="/usr/bin:/usr/local/bin")
    if not system or not readable_by_user(system):
        return None, f"{sys.executable} is not readable by {USER} and there is no system {version} to build one from"
    env = folder / "venv"
    subprocess.run([system, "-m", "venv", "--without-pip", str(env)], check=True, capture_output=True)
    packages = site.getsitepackages()[0]
    if not readable_by_user(packages):
        return None, f"{packages} is not readable by {USER}"
    purelib = subprocess.run([str(env / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "shared-packages.pth").write_text(f"import site; site.addsitedir({packages!r})\n")
    return str(env / "bin" / "python"), ""
