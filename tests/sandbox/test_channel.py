"""The reply stream read as hostile bytes: well-formed frames are kept up to the first excess, never beyond."""
from __future__ import annotations

import json
import os
import threading

import pytest

from grader.sandbox.channel import HEADER, FrameReader, ProtocolViolation, send


def frame(kind: bytes, payload: dict, blob: bytes = b"") -> bytes:
    data = json.dumps(payload).encode()
    return HEADER.pack(kind, len(data), len(blob)) + data + blob


def read_all(reader: FrameReader, data: bytes) -> tuple[list, str]:
    frames, violation = [], ""
    try:
        for f in reader.feed(data):
            frames.append((f.kind, f.payload, bytes(f.blob)))
    except ProtocolViolation as exc:
        violation = str(exc)
    return frames, violation


def test_frames_before_a_flood_in_the_same_read_are_kept():
    """The import report and a probe's reply, then garbage, all in one read: the two replies count."""
    data = frame(b"I", {"status": "ok"}) + frame(b"P", {"v": 1}, b"\x01\x02") + b"imported\nnoise\n" * 100
    frames, violation = read_all(FrameReader(1 << 20, max_frames=5), data)
    assert frames == [(b"I", {"status": "ok"}, b""), (b"P", {"v": 1}, b"\x01\x02")]
    assert violation == "sent a reply the grader does not understand"


def test_frames_within_the_budget_are_kept_and_the_excess_is_refused():
    first = frame(b"P", {"v": 1})
    budget = len(first) + 10
    frames, violation = read_all(FrameReader(budget, max_frames=5), first + frame(b"P", {"v": 2}, b"x" * 100))
    assert frames == [(b"P", {"v": 1}, b"")]
    assert "larger than the reply limit" in violation


def test_a_frame_split_across_reads_is_whole_once_its_last_byte_arrives():
    data = frame(b"P", {"v": 3}, b"abc")
    reader = FrameReader(1 << 20, max_frames=2)
    assert read_all(reader, data[:7]) == ([], "")
    assert read_all(reader, data[7:]) == ([(b"P", {"v": 3}, b"abc")], "")


@pytest.mark.parametrize("extra", [1, 5])
def test_more_frames_than_asked_for_are_refused_after_the_ones_asked_for(extra):
    data = b"".join(frame(b"P", {"i": i}) for i in range(2 + extra))
    frames, violation = read_all(FrameReader(1 << 20, max_frames=2), data)
    assert [f[1]["i"] for f in frames] == [0, 1]
    assert violation == "sent more replies than it was asked for"


def test_a_frame_is_one_system_call_when_the_pipe_has_room(monkeypatch):
    """Header, JSON and tensor bytes go in one ``writev``: each write to the pipe can wake the parent."""
    calls = []
    real = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, parts: calls.append(len(parts)) or real(fd, parts))
    read_end, write_end = os.pipe()
    try:
        send(write_end, b"P", {"v": 1}, b"\x01\x02\x03")
        frames, violation = read_all(FrameReader(1 << 20, max_frames=1), os.read(read_end, 1 << 16))
    finally:
        os.close(read_end)
        os.close(write_end)
    assert calls == [2]
    assert (frames, violation) == ([(b"P", {"v": 1}, b"\x01\x02\x03")], "")


def test_a_frame_larger_than_the_pipe_arrives_whole():
    """A blob many times the pipe's buffer is written in pieces as the reader drains it, none lost or repeated."""
    blob = bytes(range(256)) * (3 * 4096)  # 3 MiB
    read_end, write_end = os.pipe()
    sender = threading.Thread(target=lambda: (send(write_end, b"P", {"v": 2}, blob), os.close(write_end)))
    sender.start()
    received = bytearray()
    while chunk := os.read(read_end, 1 << 16):
        received += chunk
    sender.join()
    os.close(read_end)
    frames, violation = read_all(FrameReader(1 << 23, max_frames=1), bytes(received))
    assert violation == ""
    assert frames == [(b"P", {"v": 2}, blob)]
