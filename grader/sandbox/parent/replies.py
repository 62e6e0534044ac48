"""Parent side: a child's frames become observations whose every field is bounded and safe to print.

Whatever the child sent is data: statuses the parent alone decides (timeout, crashed, not run)
cannot be claimed, strings lose lone surrogates and are cut at a visible mark, name lists are
bounded, and a student's value over a size limit is turned into a note that fails its check.
"""
from __future__ import annotations

from typing import Any

from grader.interface import DEVIATION_KINDS
from grader.observe import (LOSSES_KEPT, MAX_ITEMS, MAX_TENSOR_ELEMENTS, MAX_TEXT, SEQUENCE_RUNS, Deviation, ErrorInfo,
                            ImportInfo, LossRecord, Observation, Value, decode_value, unpack_reply)

MESSAGE_CAP = 1_000
LINE_CAP = 300
NAME_CAP = 100
MAX_NAMES = 500
MAX_OPS = 2_000
OP_NAME_CAP = 200
MAX_RUN = 10**12
NON_FINITE = {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf")}
STDOUT_CAP = 16_000
ORIGINS = ("student", "call", "grader")  # the child's word on where an exception came from: wording only
MAX_STEPS = 1_000
MAX_DEVIATIONS = 20


def clean(text: Any, cap: int) -> str:
    """``text`` as printable UTF-8 text of at most ``cap`` characters, saying what was cut."""
    text = text if isinstance(text, str) else str(text)
    text = text.encode("utf-8", "replace").decode("utf-8")
    if len(text) > cap:
        text = f"{text[:cap]}... [{len(text) - cap:,} more characters not kept]"
    return text


def _error(data: Any) -> ErrorInfo | None:
    if not isinstance(data, dict):
        return None
    lines = data.get("traceback") if isinstance(data.get("traceback"), list) else []
    origin = data.get("origin") if data.get("origin") in ORIGINS else "student"
    step = data.get("step") if type(data.get("step")) is int and 0 <= data["step"] < MAX_STEPS else None
    return ErrorInfo(type=clean(data.get("type", "Error"), 100), message=clean(data.get("message", ""), MESSAGE_CAP),
                     traceback=[clean(line, LINE_CAP) for line in lines[-8:]], origin=origin,
                     where=clean(data.get("where", ""), LINE_CAP) if origin == "grader" else "", step=step)


def _seconds(value: Any, measured: float) -> float:
    """The child's own timing, never more than the parent measured."""
    return min(float(value), measured) if isinstance(value, (int, float)) and value >= 0 else measured


def import_info(payload: dict, measured: float) -> ImportInfo:
    """The import report, bounded (layers are taken from the report sent before student code ran)."""
    names = payload.get("defined") if isinstance(payload.get("defined"), list) else []
    defined = [n for n in names if isinstance(n, str) and len(n) <= NAME_CAP][:MAX_NAMES]
    return ImportInfo(status="ok" if payload.get("status") == "ok" else "error", error=_error(payload.get("error")),
                      detail=clean(payload.get("detail", ""), MESSAGE_CAP), defined=[clean(n, NAME_CAP) for n in defined],
                      seconds=_seconds(payload.get("seconds"), measured))


def layers(payload: dict) -> tuple[list[str], list[str]]:
    """Active and missing layers, from the report the harness sends before any student code runs."""
    def names(key: str) -> list[str]:
        found = payload.get(key) if isinstance(payload.get(key), list) else []
        return [clean(n, 200) for n in found[:40]]
    return names("active"), names("missing")


def _values(payload: dict, tensors: dict, whole: bool) -> dict[str, Value]:
    raw_values = payload.get("values") if isinstance(payload.get("values"), dict) else {}
    return {clean(k, NAME_CAP): _bounded(decode_value(v, tensors), whole) for k, v in list(raw_values.items())[:100]}


def _deviations(data: Any) -> list[Deviation]:
    """The child's notes of how it adapted the call: wording for the message, bounded."""
    notes = data if isinstance(data, list) else []
    return [Deviation(kind=n["kind"], text=clean(n.get("text", ""), MESSAGE_CAP)) for n in notes[:MAX_DEVIATIONS]
            if isinstance(n, dict) and n.get("kind") in DEVIATION_KINDS]


def probe_observation(probe_id: str, payload: dict, blob: bytes | memoryview, measured: float, whole: bool) -> Observation:
    """One probe's reply; ``whole`` (the reference's side) keeps values of any size."""
    payload, tensors = unpack_reply(payload, blob)
    raw_ops = payload.get("ops") if isinstance(payload.get("ops"), dict) else {}
    ops = {clean(k, OP_NAME_CAP): v for k, v in list(raw_ops.items())[:MAX_OPS] if type(v) is int and v >= 0}
    rerun = payload.get("rerun") if isinstance(payload.get("rerun"), dict) and not whole else None
    again = None if rerun is None else Observation(
        probe_id=probe_id, status="ok" if rerun.get("status") == "ok" else "error",
        values=_values(rerun, tensors, whole), error=_error(rerun.get("error")))
    return Observation(probe_id=probe_id, status="ok" if payload.get("status") == "ok" else "error",
                       values=_values(payload, tensors, whole), ops=ops,
                       sequence=op_sequence(payload.get("sequence")), losses=loss_record(payload.get("losses")),
                       error=_error(payload.get("error")), stdout=clean(payload.get("stdout", ""), STDOUT_CAP),
                       seconds=_seconds(payload.get("seconds"), measured), deviations=_deviations(payload.get("deviations")),
                       rerun=again, unstable=clean(payload.get("unstable", ""), LINE_CAP) if again else "")


def op_sequence(data: Any) -> list[tuple[str, int]]:
    """The ops in the order run as (name, times in a row), at most ``SEQUENCE_RUNS`` runs; a sequence with a
    malformed run is dropped whole (it is shown to instructors and compared, never scored)."""
    if not isinstance(data, list):
        return []
    runs = []
    for item in data[:SEQUENCE_RUNS]:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and type(item[1]) is int
                and 0 < item[1] <= MAX_RUN):
            return []
        runs.append((clean(item[0], OP_NAME_CAP), item[1]))
    return runs


def _loss_values(data: Any, expected: int) -> list[float] | None:
    if not isinstance(data, list) or len(data) != expected:
        return None
    values = []
    for v in data:
        if type(v) in (int, float):
            values.append(float(v))
        elif isinstance(v, str) and v in NON_FINITE:
            values.append(NON_FINITE[v])
        else:
            return None
    return values


def loss_record(data: Any) -> LossRecord | None:
    """Recorded loss values, when the record is consistent: ``count`` calls, and exactly the first and the
    last ``min(count, LOSSES_KEPT)`` values; anything else is no record (the check then says none came back)."""
    if not isinstance(data, dict) or type(data.get("count")) is not int or not 0 <= data["count"] <= MAX_RUN:
        return None
    kept = min(data["count"], LOSSES_KEPT)
    first, last = _loss_values(data.get("first"), kept), _loss_values(data.get("last"), kept)
    if first is None or last is None:
        return None
    return LossRecord(count=data["count"], first=first, last=last)


def _bounded(value: Value, whole: bool) -> Value:
    """Enforce the student-side limits the child should have applied, and clean every text."""
    if value.text is not None:
        value.text = value.text.encode("utf-8", "replace").decode("utf-8")
    if value.class_name is not None:
        value.class_name = clean(value.class_name, 200)
    if value.keys is not None:
        value.keys = [clean(k, 200) for k in value.keys]
    if whole:
        if value.items:
            value.items = [_bounded(v, whole) for v in value.items]
        return value
    size, limit, unit = None, 0, ""
    if value.type == "str" and value.text is not None and len(value.text) > MAX_TEXT:
        size, limit, unit = len(value.text), MAX_TEXT, "characters"
    elif value.items is not None and len(value.items) > MAX_ITEMS:
        size, limit, unit = len(value.items), MAX_ITEMS, "items"
    elif value.tensor is not None and value.tensor.numel() > MAX_TENSOR_ELEMENTS:
        size, limit, unit = value.tensor.numel(), MAX_TENSOR_ELEMENTS, "elements"
    if size is not None:
        return Value(type="object", class_name=value.type, over_limit=True,
                     text=f"{size:,} {unit}, over the limit of {limit:,}")
    if value.type == "object" and value.text is not None:
        value.text = clean(value.text, 400)
    if value.items:
        value.items = [_bounded(v, whole) for v in value.items]
    return value
