"""A question's probes travel to the fork server once, and every child forked after it finds them parsed.

Every student's file of a question gets the same probes; only the folder, the file's name and the limits
change. Parsing and checking a question's probes in a child just forked costs about a millisecond (the
pydantic models of a few dozen probes and their steps, in a process whose memory is not yet its own), on
the path from a request to the student's first line. So the grader writes each set of probes once, to a
file named by the SHA-256 of its bytes in the fork server's folder, and names that file in each request;
the fork server parses a set the first time a request names it, and the children it forks from then on
inherit it, parsed. A child forked before finds the file's bytes and parses them itself.

The name is the content's hash, checked on every read: a file changed after it was written (a child with
Landlock switched off can write where the grader does) is refused, never run.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

from pydantic import TypeAdapter

from grader.sandbox.protocol import Probe

KEPT = 64  # sets parsed in the fork server at most (a batch has one per question, a few per re-import)
_PROBES = TypeAdapter(list[Probe])
_parsed: OrderedDict[str, list[Probe]] = OrderedDict()  # in the fork server, and inherited by its children


class ProbeSetError(Exception):
    """A probe set's file is missing or does not hash to its name."""


def write(probes: list[Probe], folder: str, written: set[str]) -> tuple[str, str]:
    """The key and file of ``probes``, the file written under ``folder`` unless its key is in ``written``
    (then added); parent side."""
    data = _PROBES.dump_json(probes, exclude_defaults=True)
    key = hashlib.sha256(data).hexdigest()
    path = os.path.join(folder, f"probes-{key}.json")
    if key not in written:
        temporary = f"{path}.{threading.get_ident()}.tmp"  # another worker may be writing the same set
        Path(temporary).write_bytes(data)
        os.replace(temporary, path)
        written.add(key)
    return key, path


def probes(key: str, path: str) -> list[Probe]:
    """The set ``key``, parsed: inherited from the fork server, or read from ``path`` and checked (raises
    ProbeSetError)."""
    found = _parsed.get(key)
    return found if found is not None else _read(key, path)


def remember(key: str, path: str) -> list[Probe] | None:
    """Parse the set ``key`` in the fork server, for the children it forks from now on (a set it cannot read
    is left to the child, which refuses it); the set when it is new here."""
    if key in _parsed:
        _parsed.move_to_end(key)
        return None
    try:
        _parsed[key] = _read(key, path)
    except (ProbeSetError, ValueError):
        return None
    while len(_parsed) > KEPT:
        _parsed.popitem(last=False)
    return _parsed.get(key)


def _read(key: str, path: str) -> list[Probe]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ProbeSetError(f"the probes of this request could not be read ({exc.strerror})") from None
    if hashlib.sha256(data).hexdigest() != key:
        raise ProbeSetError("the probes of this request were changed after the grader wrote them")
    return _PROBES.validate_json(data)
