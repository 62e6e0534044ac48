"""One module per ``grade`` verb; each exposes ``run(args, console) -> int`` (the exit code)."""
from __future__ import annotations

EXIT_OK, EXIT_GRADER_FAILED, EXIT_USAGE = 0, 1, 2


def assignment_and_device(args, console):
    """``(assignment, device)`` from ``args.assignment`` and ``args.device``, or None after printing why not."""
    from grader.assignments import find_assignment
    from grader.device import DeviceError, resolve_device
    from grader.rubric import RubricError

    try:
        return find_assignment(args.assignment), resolve_device(args.device)
    except (RubricError, DeviceError) as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        return None
