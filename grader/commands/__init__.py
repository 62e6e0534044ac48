"""One module per ``grade`` verb; each exposes ``run(args, console) -> int`` (the exit code)."""
from __future__ import annotations

from grader.commands.printing import error

EXIT_OK, EXIT_GRADER_FAILED, EXIT_USAGE = 0, 1, 2


def assignment_and_device(args, console):
    """``(assignment, device)`` from ``args.assignment`` and ``args.device`` (cpu for verbs without
    ``--device``), or None after printing why not."""
    from grader.assignments import find_assignment
    from grader.device import DeviceError, resolve_device
    from grader.rubric import RubricError

    try:
        return find_assignment(args.assignment), resolve_device(getattr(args, "device", "cpu"))
    except (RubricError, DeviceError) as exc:
        error(console, str(exc))
        return None


def unsupported_platform(console) -> bool:
    """True (after saying so) on native Windows, where the child's POSIX pipes and process groups do not exist."""
    import sys

    if sys.platform != "win32":
        return False
    error(console, "the grader's sandbox needs a POSIX system (Linux or macOS); on Windows, "
          "run it inside WSL (wsl --install, then pip install the grader there)")
    return True


def reference_broken(assignment, reference: dict, console) -> bool:
    """True (after naming each error) when a question's reference file does not import."""
    from grader.reference_cache import import_problems

    broken = import_problems(reference)
    if broken:
        error(console, f"the reference solution of {assignment.name} does not import: "
              + "; ".join(broken))
    return bool(broken)
