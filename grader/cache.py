"""Where the grader keeps what it computes once: reference observations, offline data sets."""
from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """``$GRADER_CACHE_DIR``, else ``$XDG_CACHE_HOME/torch-grader``, else ``~/.cache/torch-grader``."""
    if os.environ.get("GRADER_CACHE_DIR"):
        return Path(os.environ["GRADER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "torch-grader"
