"""Observations: what a probe sent back, and their safe (de)serialisation.

The child turns whatever the student's code returned into JSON plus plain CPU tensors written
as raw buffers (``tensor_files``). The parent reads the JSON with ``json`` and rebuilds the
tensors from bytes after checking their index: nothing from the child is ever unpickled.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from grader.tensor_files import pack_tensors, read_tensors, unpack_tensors, write_tensors

MAX_TENSOR_ELEMENTS = 20_000_000
MAX_ITEMS = 10_000
MAX_TEXT = 2_000
MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 6
SEQUENCE_RUNS = 2_000  # runs of torch ops kept in order per probe
LOSSES_KEPT = 1_000  # loss values kept at each end of a run

ValueType = Literal["tensor", "ndarray", "bytes", "number", "bool", "str", "none", "list", "tuple", "dict", "object"]


class Value(BaseModel):
    """One value the student's code produced, rebuilt from bytes in the parent."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    type: ValueType
    tensor: torch.Tensor | None = None
    number: float | int | None = None
    text: str | None = None
    items: list["Value"] | None = None
    keys: list[str] | None = None
    device: str | None = None
    class_name: str | None = None
    over_limit: bool = False

    def describe(self) -> str:
        """A short human description: ``tensor of shape (2, 3), float32``."""
        if self.type in ("tensor", "ndarray") and self.tensor is not None:
            kind = "tensor" if self.type == "tensor" else "numpy array"
            return f"{kind} of shape {tuple(self.tensor.shape)}, {str(self.tensor.dtype).replace('torch.', '')}"
        if self.type == "number":
            return f"number {self.number!r}"
        if self.type in ("list", "tuple", "dict"):
            return f"{self.type} of {len(self.items or [])} items"
        if self.type == "none":
            return "None"
        if self.over_limit:
            return f"{self.class_name} of {self.text} (not compared)"
        if self.type == "object":
            return f"object of type {self.class_name} ({self.text})"
        if self.type == "bytes" and self.tensor is not None:
            return f"{self.tensor.numel():,} bytes"
        return f"{self.type} {self.text!r}"

    def as_tensor(self) -> torch.Tensor | None:
        """The value as a float64-able tensor when it is numeric, else None."""
        if self.tensor is not None and self.type != "bytes":
            return self.tensor
        if self.type in ("number", "bool") and self.number is not None:
            return torch.tensor(self.number, dtype=torch.float64)
        return None


class ErrorInfo(BaseModel):
    """An exception raised in a probe, with only the student's own traceback lines.

    ``origin``, ``where`` and ``step`` are the child's reading of the traceback (``diagnosis.frames``):
    data that may only change a message and a status, never points. ``context`` is written by the
    parent from its own probe (which step raised, and what that step was for).
    """

    type: str
    message: str
    traceback: list[str] = Field(default_factory=list)
    origin: Literal["student", "call", "grader"] = "student"
    where: str = ""
    step: int | None = None
    context: str = ""

    def one_line(self) -> str:
        """``ValueError: bad shape (question1.py, line 12)``."""
        where = f" ({self.traceback[-1]})" if self.traceback else ""
        return f"{self.type}: {self.message}{where}"


class LossRecord(BaseModel):
    """The values of the named loss functions' calls while the file ran: the first and the last ones kept."""

    count: int = Field(ge=0, description="calls recorded")
    first: list[float] = Field(default_factory=list, description="the first values, in order")
    last: list[float] = Field(default_factory=list, description="the last values, in order (overlapping `first` "
                                                                 "when there were few calls)")

    def curve(self) -> list[float]:
        """Every value in order when all were kept, else the first ones followed by the last ones."""
        overlap = len(self.first) + len(self.last) - self.count
        return self.first + self.last[overlap:] if overlap >= 0 else self.first + self.last


ProbeStatus = Literal["ok", "error", "timeout", "crashed", "not_run"]
DeviationKind = Literal["name", "keyword", "parameter", "tuple", "dtype"]  # see grader.interface.DEVIATION_KINDS


class Deviation(BaseModel):
    """Where the student's code left the handout's interface and the grader adapted (and what it did)."""

    kind: DeviationKind
    text: str


class Observation(BaseModel):
    """What one probe observed.

    ``deviations`` say how the call was adapted to the student's names and signature. ``rerun`` is a second
    run of the probe from the same seed, present only when it came out different (``unstable`` says how).
    """

    probe_id: str
    status: ProbeStatus
    values: dict[str, Value] = Field(default_factory=dict)
    ops: dict[str, int] = Field(default_factory=dict)
    sequence: list[tuple[str, int]] = Field(default_factory=list, description="torch ops in the order run, as "
                                            "(name, times in a row), the first SEQUENCE_RUNS runs")
    losses: LossRecord | None = Field(None, description="the probe's named loss functions' values while the file ran")
    error: ErrorInfo | None = None
    detail: str = ""
    stdout: str = ""
    seconds: float = 0.0
    deviations: list[Deviation] = Field(default_factory=list)
    rerun: Observation | None = None
    unstable: str = ""


class ImportInfo(BaseModel):
    """The outcome of importing the question file (its top-level code ran)."""

    status: Literal["ok", "error", "timeout", "crashed", "missing"]
    error: ErrorInfo | None = None
    detail: str = ""
    defined: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    sandbox: list[str] = Field(default_factory=list)
    sandbox_missing: list[str] = Field(default_factory=list)

    def explain(self) -> str:
        """Why the import failed, in one line (the detail, else the error)."""
        return self.detail or (self.error.one_line() if self.error else self.status)


class FileObservations(BaseModel):
    """Everything observed for one question file of one submission."""

    module_file: str
    imported: ImportInfo
    probes: dict[str, Observation] = Field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""


# --- child side: Python objects -> JSON + plain tensors -------------------------------------

def _plain_tensor(obj: torch.Tensor) -> torch.Tensor:
    with torch._C.DisableTorchFunction():
        t = torch.Tensor._make_subclass(torch.Tensor, obj.detach()) if type(obj) is not torch.Tensor else obj.detach()
        return t.to("cpu").contiguous().clone()


def _over(kind: str, size: int, limit: int, unit: str) -> dict:
    """A value too large to send: it travels as a note, and every check on it fails saying why."""
    return {"type": "object", "class_name": kind, "over_limit": True,
            "text": f"{size:,} {unit}, over the limit of {limit:,}"}


def encode_value(obj: Any, tensors: dict[str, torch.Tensor], depth: int = 0, whole: bool = False) -> dict:
    """Encode a value as JSON, moving tensors and bytes into ``tensors`` (child side).

    A student's value larger than a limit becomes an ``over_limit`` note; with ``whole`` (the
    reference's own values) nothing is ever cut: the reply limit then applies to the whole.
    """
    import numpy as np

    def tensor_key(tensor: torch.Tensor) -> str:
        key = f"t{len(tensors)}"
        tensors[key] = tensor
        return key

    if isinstance(obj, torch.Tensor):
        if obj.numel() > MAX_TENSOR_ELEMENTS and not whole:
            return _over("torch.Tensor", obj.numel(), MAX_TENSOR_ELEMENTS, "elements")
        cls = type(obj)
        name = None if cls is torch.Tensor or cls is torch.nn.Parameter else f"{cls.__module__}.{cls.__qualname__}"
        return {"type": "tensor", "tensor": tensor_key(_plain_tensor(obj)), "device": str(obj.device),
                "class_name": name}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biuf" and (obj.size <= MAX_TENSOR_ELEMENTS or whole):
            return {"type": "ndarray", "tensor": tensor_key(torch.from_numpy(np.array(obj, copy=True)))}
        return {"type": "object", "class_name": "numpy.ndarray", "text": f"dtype {obj.dtype}, shape {obj.shape}"}
    if isinstance(obj, (bytes, bytearray)):
        if len(obj) > MAX_BYTES and not whole:
            return _over("bytes", len(obj), MAX_BYTES, "bytes")
        return {"type": "bytes", "tensor": tensor_key(torch.frombuffer(bytearray(obj), dtype=torch.uint8)
                                                      if obj else torch.empty(0, dtype=torch.uint8))}
    if isinstance(obj, (bool, np.bool_)):
        return {"type": "bool", "number": int(bool(obj))}
    if isinstance(obj, (int, float, np.integer, np.floating)):
        number = obj.item() if hasattr(obj, "item") else obj
        if isinstance(number, int) and abs(number) > 2**62:
            number = float(number)
        return {"type": "number", "number": number}
    if obj is None:
        return {"type": "none"}
    if isinstance(obj, str):
        if len(obj) > MAX_TEXT and not whole:
            return _over("str", len(obj), MAX_TEXT, "characters")
        return {"type": "str", "text": str(obj)}
    if isinstance(obj, (list, tuple, dict)):
        kind = "list" if isinstance(obj, list) else "tuple" if isinstance(obj, tuple) else "dict"
        if depth >= MAX_DEPTH:
            return _over(kind, depth, MAX_DEPTH, "levels of nesting")
        if len(obj) > MAX_ITEMS and not whole:
            return _over(kind, len(obj), MAX_ITEMS, "items")
        values = list(obj.values()) if kind == "dict" else list(obj)
        encoded = {"type": kind, "items": [encode_value(v, tensors, depth + 1, whole) for v in values]}
        if kind == "dict":
            encoded["keys"] = [str(k) for k in obj]
        return encoded
    return {"type": "object", "class_name": type(obj).__qualname__[:200], "text": safe_repr(obj)}


def safe_repr(obj: Any) -> str:
    """``repr`` that never raises and never grows past a few hundred characters."""
    try:
        text = repr(obj)
    except BaseException as exc:  # noqa: BLE001 - student objects may raise anything
        text = f"<repr raised {type(exc).__name__}>"
    return text if len(text) <= 300 else text[:300] + "..."


def pack_reply(payload: dict, tensors: dict[str, torch.Tensor]) -> tuple[dict, bytes]:
    """A reply's JSON (with the tensor index added) and its blob of tensor bytes."""
    index, blob = pack_tensors(tensors)
    return ({**payload, "tensor_index": index} if index else payload), blob


def write_reply(path: Path, payload: dict, tensors: dict[str, torch.Tensor]) -> None:
    """Write one JSON reply and its tensors atomically (the grader's own cache files)."""
    if tensors:
        payload = {**payload, "tensor_index": write_tensors(_sibling(path, ".bin"), tensors)}
    _sibling(path, ".json.tmp").write_text(json.dumps(payload))
    os.replace(_sibling(path, ".json.tmp"), _sibling(path, ".json"))


def _sibling(path: Path, suffix: str) -> Path:
    """``path`` with ``suffix`` appended (ids contain dots, so never ``with_suffix``)."""
    return path.parent / (path.name + suffix)


# --- parent side: JSON + tensors -> Value models ---------------------------------------------

def read_reply(path: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    """Read one reply written by ``write_reply``: JSON, then tensors rebuilt from checked bytes."""
    payload = json.loads(_sibling(path, ".json").read_text())
    if not isinstance(payload, dict):
        raise ValueError("a reply must be a JSON object")
    index = payload.pop("tensor_index", [])
    return payload, read_tensors(_sibling(path, ".bin"), index)


def unpack_reply(payload: dict, blob: bytes | memoryview) -> tuple[dict, dict[str, torch.Tensor]]:
    """A reply received from a child: its JSON without the index, and its checked tensors."""
    payload = dict(payload)
    return payload, unpack_tensors(blob, payload.pop("tensor_index", []))


def decode_value(data: dict, tensors: dict[str, torch.Tensor], depth: int = 0) -> Value:
    """Rebuild a Value from its JSON and the loaded tensors (parent side)."""
    if not isinstance(data, dict) or depth > MAX_DEPTH:
        raise ValueError("a value must be a JSON object of bounded depth")
    data = dict(data)
    if "tensor" in data:
        key = data.pop("tensor")
        if not isinstance(key, str) or key not in tensors:
            raise ValueError(f"reply names a tensor {str(key)[:40]!r} it did not send")
        data["tensor"] = tensors[key].as_subclass(torch.Tensor)
    if data.get("items") is not None:
        if not isinstance(data["items"], list):
            raise ValueError("a value's items must be a list")
        data["items"] = [decode_value(item, tensors, depth + 1) for item in data["items"]]
    value = Value.model_validate(data)
    if value.type == "bytes" and (value.tensor is None or value.tensor.dtype != torch.uint8):
        raise ValueError("bytes must travel as a uint8 buffer")
    if value.type == "number" and isinstance(value.number, float) and not math.isfinite(value.number):
        value.text = str(value.number)
    return value


def encode_observations(values: dict[str, Value], tensors: dict[str, torch.Tensor]) -> dict[str, dict]:
    """Re-encode parent-side Values (for the reference cache)."""
    out = {}
    for name, value in values.items():
        out[name] = _reencode(value, tensors)
    return out


def _reencode(value: Value, tensors: dict[str, torch.Tensor]) -> dict:
    data = value.model_dump(exclude={"tensor", "items"}, exclude_none=True)
    if value.tensor is not None:
        key = f"t{len(tensors)}"
        tensors[key] = value.tensor
        data["tensor"] = key
    if value.items is not None:
        data["items"] = [_reencode(v, tensors) for v in value.items]
    return data


def save_file_observations(fo: FileObservations, path: Path) -> None:
    """Store observations (the reference cache) as JSON plus one weights-only tensor file."""
    tensors: dict[str, torch.Tensor] = {}
    data = fo.model_dump(exclude={"probes"})
    data["probes"] = {pid: {**obs.model_dump(exclude={"values", "rerun"}),
                            "values": encode_observations(obs.values, tensors)}
                      for pid, obs in fo.probes.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_reply(path, data, tensors)


def load_file_observations(path: Path) -> FileObservations:
    """Read what ``save_file_observations`` stored."""
    payload, tensors = read_reply(path)
    probes = {pid: Observation.model_validate({**obs, "values": {k: decode_value(v, tensors)
                                                                 for k, v in obs["values"].items()}})
              for pid, obs in payload.pop("probes").items()}
    return FileObservations.model_validate({**payload, "probes": probes})
