"""The reply stream: everything a child tells its parent travels as framed bytes on one pipe.

The child's harness shares its process with student code, so whatever it can write, the student
can write too. The parent therefore reads the stream as hostile data: each frame is a fixed
header (one kind byte, the JSON length, the blob length) followed by that many bytes; a frame
of an unknown kind, a JSON part over ``MAX_JSON`` bytes, more bytes in all than the child's
``budget``, or more frames than the request can produce is a protocol violation that ends the
child. Nothing in a frame can name a process, extend a deadline or point at a file.

Kinds: ``L`` the sandbox layers (sent before any student code runs), ``I`` the import report, ``P`` one probe's reply (in the order the probes were asked),
``E`` the child is done.
"""
from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass

HEADER = struct.Struct("<cIQ")
KINDS = (b"L", b"I", b"P", b"E")
MAX_JSON = 4 * 1024 * 1024
PIPE_SIZE = 1 << 20


class ProtocolViolation(Exception):
    """The child sent something no honest harness sends; the message says what."""


@dataclass
class Frame:
    """One complete frame: its kind, its JSON object and its raw blob (tensor bytes, a writable view)."""

    kind: bytes
    payload: dict
    blob: memoryview


def send(fd: int, kind: bytes, payload: dict, blob: bytes | memoryview = b"") -> None:
    """Write one frame (child side) in one system call where the pipe has room (each call can wake the parent);
    blocks until the parent has room for all of it."""
    data = json.dumps(payload).encode()
    parts = [memoryview(HEADER.pack(kind, len(data), len(blob)) + data), memoryview(blob)]
    while parts:
        written = os.writev(fd, parts)
        while parts and written >= len(parts[0]):
            written -= len(parts.pop(0))
        if parts:
            parts[0] = parts[0][written:]


def widen(fd: int) -> None:
    """Ask for a 1 MiB pipe buffer (fewer wake-ups for large replies); harmless where refused."""
    try:
        import fcntl

        fcntl.fcntl(fd, 1031, PIPE_SIZE)  # F_SETPIPE_SZ
    except (OSError, ImportError, AttributeError):
        pass


class FrameReader:
    """Parent side: turns bytes as they arrive into frames, enforcing every bound."""

    def __init__(self, budget: int, max_frames: int) -> None:
        self.budget, self.max_frames = budget, max_frames
        self.received = 0
        self.consumed = 0  # bytes of the frames yielded so far
        self.frames = 0
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[Frame]:
        """Add bytes; yield the frames they complete, in order. Raises ProtocolViolation at the first excess,
        once the well-formed frames before it have been yielded (a flood that follows a reply in the same read
        does not take the reply with it)."""
        self.received += len(data)
        self._buffer += data
        while len(self._buffer) >= HEADER.size:
            kind, json_len, blob_len = HEADER.unpack_from(self._buffer)
            if kind not in KINDS:
                raise ProtocolViolation("sent a reply the grader does not understand")
            if json_len > MAX_JSON:
                raise ProtocolViolation(f"sent a reply of {json_len:,} bytes, over the limit of {MAX_JSON:,}")
            end = HEADER.size + json_len + blob_len
            if self.consumed + end > self.budget:
                raise ProtocolViolation("announced a reply larger than the reply limit (limits: reply_mb)")
            if len(self._buffer) < end:
                break
            self.frames += 1
            if self.frames > self.max_frames:
                raise ProtocolViolation("sent more replies than it was asked for")
            self.consumed += end
            if end == len(self._buffer):  # the usual case: hand the buffer over instead of copying it
                whole, self._buffer = self._buffer, bytearray()
            else:
                whole = bytearray(memoryview(self._buffer)[:end])
                del self._buffer[:end]
            view = memoryview(whole)
            yield Frame(kind, _json_object(bytes(view[HEADER.size:HEADER.size + json_len])),
                        view[HEADER.size + json_len:end])
        if self.received > self.budget:
            raise ProtocolViolation(f"sent more than {self.budget // (1024 * 1024)} MB of replies, "
                                    f"over the limit (limits: reply_mb)")


def _json_object(data: bytes) -> dict:
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ProtocolViolation(f"sent a malformed reply ({type(exc).__name__})") from None
    if not isinstance(payload, dict):
        raise ProtocolViolation("sent a reply that is not a JSON object")
    return payload
