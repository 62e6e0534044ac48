"""Running a student's script as ``python question2.py`` would, in the child, then keeping what it left.

A rubric's ``run_as_main: SECONDS`` grades script-style work whose code sits under
``if __name__ == "__main__":``. The parent stages a small module that calls :func:`run` with its
own globals: the script runs there with ``__name__ == "__main__"``, for at most SECONDS. When it
raises, exits or runs out of time, that is reported on stderr and the globals it had set by then
are graded all the same, as a marker reading a run that crashed in its last plot would.
"""
from __future__ import annotations

import os
import signal
import sys
import traceback


class OutOfTime(BaseException):
    """Raised in the script when its time as ``__main__`` is up."""


def _stop(signum, frame) -> None:
    raise OutOfTime()


def _line(path: str, exc: BaseException) -> str:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    return f", line {lines[-1]}" if lines else ""


def run(namespace: dict, file_name: str, seconds: float) -> None:
    """Run ``file_name`` as ``__main__`` in ``namespace`` for at most ``seconds``; report a failure, keep going."""
    path = os.path.abspath(file_name)
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec", dont_inherit=True)
    own_name = namespace.get("__name__")
    namespace.update(__name__="__main__", __file__=path)
    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        exec(code, namespace)
    except OutOfTime as exc:
        print(f"[grader] {file_name} was stopped after {seconds:g} s as a script{_line(path, exc)}; "
              f"what it had defined by then is graded", file=sys.stderr)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the work before the crash still counts
        try:
            message = str(exc)[:500]
        except Exception:  # noqa: BLE001 - a student exception whose __str__ raises
            message = "<the message could not be printed>"
        print(f"[grader] {file_name}{_line(path, exc)} raised {type(exc).__name__}: {message} when run as a "
              f"script; what it had defined by then is graded", file=sys.stderr)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        namespace["__name__"] = own_name
