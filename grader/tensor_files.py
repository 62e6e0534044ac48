"""Tensors on disk without pickle: raw little-endian buffers plus a JSON index.

The layout is the idea of safetensors (a header naming dtype, shape and byte range, then the
bytes), kept in the reply's JSON. Reading never runs code: each tensor is rebuilt with
``torch.frombuffer`` after its dtype, shape and byte range have been checked.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import torch

DTYPES = {name: getattr(torch, name) for name in (
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
    "uint8", "int8", "int16", "int32", "int64", "bool")}


class TensorFileError(ValueError):
    """A tensor file or index that does not describe valid tensors."""


def pack_tensors(tensors: dict[str, torch.Tensor]) -> tuple[list[dict], bytes]:
    """CPU tensors as one little-endian blob, one after another, and the index describing it."""
    index, parts, offset = [], [], 0
    for key, tensor in tensors.items():
        flat = tensor.detach().to("cpu").contiguous().reshape(-1)
        if sys.byteorder != "little" and flat.element_size() > 1:
            raise TensorFileError("only little-endian machines are supported")
        data = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
        parts.append(data)
        index.append({"key": key, "dtype": str(flat.dtype).removeprefix("torch."), "shape": list(tensor.shape),
                      "offset": offset, "nbytes": len(data)})
        offset += len(data)
    return index, b"".join(parts)


def unpack_tensors(blob: bytes | memoryview, index: list) -> dict[str, torch.Tensor]:
    """Rebuild the tensors ``index`` describes from ``blob``, checking every field first."""
    if not isinstance(index, list):
        raise TensorFileError("the tensor index is not a list")
    tensors = {}
    end = 0
    for entry in index:
        if not isinstance(entry, dict):
            raise TensorFileError("a tensor index entry is not an object")
        key, dtype_name, shape = entry.get("key"), entry.get("dtype"), entry.get("shape")
        offset, nbytes = entry.get("offset"), entry.get("nbytes")
        if not isinstance(key, str) or dtype_name not in DTYPES:
            raise TensorFileError(f"unsupported tensor entry {str(key)[:40]!r} ({str(dtype_name)[:40]!r})")
        if not (isinstance(shape, list) and len(shape) <= 32 and all(type(d) is int and d >= 0 for d in shape)):
            raise TensorFileError(f"tensor {key[:40]!r} has an invalid shape")
        dtype = DTYPES[dtype_name]
        expected = math.prod(shape) * torch.empty((), dtype=dtype).element_size()
        if not (type(offset) is int and type(nbytes) is int and nbytes == expected
                and end <= offset and offset + nbytes <= len(blob)):
            raise TensorFileError(f"tensor {key[:40]!r} does not fit its byte range (ranges must follow "
                                  f"one another without overlapping)")
        end = offset + nbytes
        if nbytes == 0:
            tensors[key] = torch.empty(shape, dtype=dtype)
            continue
        view = memoryview(blob)[offset:offset + nbytes]
        raw = torch.frombuffer(view if not view.readonly else bytearray(view), dtype=torch.uint8)  # no copy when writable
        tensors[key] = raw.view(dtype).reshape(shape)
    return tensors


def write_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> list[dict]:
    """Write CPU tensors to ``path``; return the index for the JSON."""
    index, blob = pack_tensors(tensors)
    path.write_bytes(blob)
    return index


def read_tensors(path: Path, index: list) -> dict[str, torch.Tensor]:
    """Rebuild the tensors ``index`` describes from the file ``path`` (written by the grader itself)."""
    return unpack_tensors(path.read_bytes() if index else b"", index)
