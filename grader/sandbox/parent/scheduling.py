"""The grader's processes are scheduled as batch work (``SCHED_BATCH``), the student's children with them.

A child running a student's file sends a frame per probe, and each frame wakes the grader; the fork server and
the spare children it prepares wake while the child runs too. Under the default policy a task that wakes may
preempt the one running on its core, so the child, which is the path to every result, kept being interrupted on
a machine with few cores. A ``SCHED_BATCH`` task never preempts another on waking (the scheduler's tick decides
when it runs) and otherwise gets the CPU share of any task of its nice value: nothing runs less, the switches are
fewer. The policy passes to every thread and process started after it is set, children included; a student's code
may set its own, as any process may.
"""
from __future__ import annotations

import os


def as_batch_work() -> None:
    """Schedule the calling thread, and the threads and processes it starts from now on, as batch work (nice value
    unchanged); nothing where the platform has no such policy or refuses it."""
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        pass
