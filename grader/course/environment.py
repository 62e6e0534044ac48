"""What course scripts expect of a machine, provided inside the child, offline and headless.

* Known data URLs (the UCI iris CSV and its mirrors) are answered from files shipped in
  ``grader/course/fixtures/``, through ``urllib.request.urlopen`` (which ``pandas.read_csv`` uses) and
  ``requests``. Every other remote URL fails at once with a message saying why (the child has
  no network anyway; this only makes the failure fast and clear).
* With an offline root (``grader/course/offline_data.py``), TORCH_HOME points at its stand-in weights and
  torchvision's MNIST-family data sets find their files in the root the script passes.
* matplotlib draws with Agg whatever backend the script picks; LaTeX text (``text.usetex``) is
  switched off and ``.pgf`` output is skipped with a note, since both need a TeX installation.
* Every ``optimizer.step()`` is counted (a global post-step hook), so a check can tell how much
  training a script really did.
* Global torch state that student code changes at import (default dtype, grad mode) is
  captured after the import and restored before every probe, with the grader's thread count.
* Notebook code finds a ``get_ipython()`` (``ipython_shim``); the course's packages, stand-ins and
  the message for a package it does not provide come from ``course_packages``.

Patches to matplotlib and requests are applied when the student's code imports them (or at
once if they are already imported), so children that never plot pay nothing.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.course import FIXTURES

_IRIS = ("archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data",
         "archive.ics.uci.edu/ml/machine-learning-databases/iris/bezdekiris.data",
         "mlr.cs.umass.edu/ml/machine-learning-databases/iris/iris.data")
KNOWN_URLS = {url: "iris.data" for url in _IRIS}


def fixture_for(url: str) -> Path | None:
    """The bundled file that answers ``url`` (scheme, case and stray whitespace ignored), or None."""
    from urllib.parse import unquote

    key = re.sub(r"\s+", "", unquote(url)).lower()
    key = re.sub(r"^[a-z]+://", "", key).split("?")[0].replace("//", "/")
    name = KNOWN_URLS.get(key)
    return FIXTURES / name if name else None


def offline_message(url: str) -> str:
    """Why a download fails while grading, and what would work."""
    return (f"grading runs without network, so {url.strip()} cannot be downloaded; only these data sets are "
            f"served offline: {', '.join(sorted(set(KNOWN_URLS)))}")


def _is_remote(url: str) -> bool:
    return re.match(r"\s*(https?|ftp)://", url, re.IGNORECASE) is not None


def _patch_urllib(urllib_request) -> None:
    import email.message
    import urllib.error
    import urllib.response

    original = urllib_request.urlopen

    def urlopen(url, *args, **kwargs):
        target = url.full_url if isinstance(url, urllib_request.Request) else str(url)
        path = fixture_for(target)
        if path is None and _is_remote(target):
            raise urllib.error.URLError(offline_message(target))
        if path is None:
            return original(url, *args, **kwargs)
        response = urllib.response.addinfourl(io.BytesIO(path.read_bytes()), email.message.Message(), target, 200)
        response.msg = "OK"
        return response

    urllib_request.urlopen = urlopen


def _patch_requests(requests) -> None:
    original = requests.adapters.HTTPAdapter.send

    def send(self, request, *args, **kwargs):
        path = fixture_for(request.url or "")
        if path is None and _is_remote(request.url or ""):
            raise requests.exceptions.ConnectionError(offline_message(request.url), request=request)
        if path is None:
            return original(self, request, *args, **kwargs)
        response = requests.models.Response()
        response.status_code, response.reason, response.url = 200, "OK", request.url
        response._content, response.encoding, response.request = path.read_bytes(), "utf-8", request
        return response

    requests.adapters.HTTPAdapter.send = send


def _patch_matplotlib(matplotlib) -> None:
    matplotlib.use("Agg", force=True)
    matplotlib.use = lambda *args, **kwargs: None  # the script's backend choice is ignored
    matplotlib.rcParams["text.usetex"] = False
    original_set = matplotlib.RcParams.__setitem__

    def setitem(self, key, value):
        if key == "text.usetex":
            value = False
        elif key == "backend":
            value = "Agg"
        original_set(self, key, value)

    matplotlib.RcParams.__setitem__ = setitem
    from matplotlib.figure import Figure

    original_savefig = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        if kwargs.get("format") == "pgf" or str(fname).endswith(".pgf"):
            print(f"[grader] not saving {fname}: pgf output needs LaTeX, which grading does not have",
                  file=sys.stderr)
            return None
        return original_savefig(self, fname, *args, **kwargs)

    Figure.savefig = savefig


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``callback(module)`` once, right after ``name`` is first imported."""

    def __init__(self, name: str, callback: Callable) -> None:
        self.name, self.callback = name, callback

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        exec_module, callback = spec.loader.exec_module, self.callback

        def exec_then_patch(module):
            exec_module(module)
            callback(module)

        spec.loader.exec_module = exec_then_patch
        return spec


def _when_imported(name: str, callback: Callable) -> None:
    """Patch ``name`` now if it is imported, else right after its first import (nothing is searched now)."""
    if name in sys.modules:
        callback(sys.modules[name])
    else:
        sys.meta_path.insert(0, _AfterImport(name, callback))


def _serve_torchvision_data(offline_root: str) -> None:
    """TORCH_HOME for pretrained weights; MNIST-family data sets copied into the root the script gives."""
    import os
    import shutil

    os.environ["TORCH_HOME"] = offline_root

    def patch(mnist_module) -> None:
        original = mnist_module.MNIST._check_exists

        def check_exists(self) -> bool:
            source = Path(offline_root) / type(self).__name__ / "raw"
            if source.is_dir() and not original(self):
                Path(self.raw_folder).mkdir(parents=True, exist_ok=True)
                for path in source.iterdir():
                    shutil.copyfile(path, Path(self.raw_folder) / path.name)
            return original(self)

        mnist_module.MNIST._check_exists = check_exists

    _when_imported("torchvision.datasets.mnist", patch)


_STEPS = [0]


def optimizer_steps() -> int:
    """How many ``optimizer.step()`` calls the student's code has made in this child."""
    return _STEPS[0]


def _count_steps(optimizer_module) -> None:
    def counted(optimizer, args, kwargs) -> None:
        _STEPS[0] += 1

    optimizer_module.register_optimizer_step_post_hook(counted)


_PROCESS_WIDE: list[bool] = []  # whether the request-independent patches are in place in this process


def install_process_wide() -> None:
    """The patches that depend on no request (``get_ipython``, step counting, offline URLs, headless
    matplotlib); the fork server applies them once, before it forks, so that its children start with them."""
    if _PROCESS_WIDE:
        return
    from grader.sandbox.child import ipython_shim  # a child's concern: the parent imports this module for FIXTURES

    ipython_shim.install()
    _when_imported("torch.optim.optimizer", _count_steps)
    _when_imported("urllib.request", _patch_urllib)
    _when_imported("matplotlib", _patch_matplotlib)
    _when_imported("requests", _patch_requests)
    _PROCESS_WIDE.append(True)


def install(offline_root: str | None = None) -> None:
    """Serve known URLs and data offline, keep plotting headless, provide the course's packages and a
    ``get_ipython()``; call in the working copy, before the student's import."""
    import os

    from grader.course import packages as course_packages  # only a child that grades needs it

    install_process_wide()
    course_packages.install(os.getcwd())
    if offline_root:
        _serve_torchvision_data(offline_root)


@dataclass
class TorchState:
    """Global torch settings a script may change at import, to restore before each probe."""

    default_dtype: object
    grad_enabled: bool
    threads: int

    @classmethod
    def capture(cls, torch, threads: int) -> "TorchState":
        """The current default dtype and grad mode, with the grader's thread count."""
        return cls(torch.get_default_dtype(), torch.is_grad_enabled(), threads)

    def restore(self, torch) -> None:
        """Put the captured settings back."""
        torch.set_default_dtype(self.default_dtype)
        torch.set_grad_enabled(self.grad_enabled)
        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
