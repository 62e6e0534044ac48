"""Same files, same marks: uninitialised memory made deterministic, and two runs of a probe compared (child side).

Every source of randomness the grader controls is seeded per probe (torch on every device, numpy's global
generator, Python's ``random``; ``PYTHONHASHSEED`` is fixed for every child). What is left is the student's
own nondeterminism: memory read before it was written (``torch.empty``) and randomness the grader's seed does
not govern (``np.random.default_rng()`` without a seed, ``torch.seed()``, the clock). The first is made
deterministic (PyTorch's ``fill_uninitialized_memory``: NaN for floats, the largest value for integers); both
are found by running a probe a second time, with memory left uninitialised, and comparing the answers.
"""
from __future__ import annotations

import contextlib
import re
import types
import warnings
from typing import Any, Iterator

_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")  # object reprs differ between runs by their address only


_PLAIN = (int, float, bool, str, type(None))
_OURS: list = []  # the warnings filter this module put first, to see whether student code removed it


def fill_uninitialised_memory(torch) -> None:
    """``torch.empty`` and friends filled with NaN from now on (the largest value for integers).

    PyTorch fills them only with deterministic algorithms on; ``warn_only`` keeps every operation working
    (the warnings about ones without a deterministic implementation are not the student's business). Cheap
    when nothing changed: student code may switch either off, so every probe calls this again."""
    import torch.utils.deterministic

    if not (_OURS and warnings.filters and warnings.filters[0] is _OURS[0]):
        warnings.filterwarnings("ignore", message=".*does not have a deterministic implementation.*")
        _OURS[:] = [warnings.filters[0]]
    if not (torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()):
        deterministic_algorithms(torch)
    torch.utils.deterministic.fill_uninitialized_memory = True


def deterministic_algorithms(torch, mode: bool = True, warn_only: bool = True) -> None:
    """``torch.use_deterministic_algorithms(mode, warn_only=warn_only)`` without importing the compiler for it:
    the public function first imports ``torch._inductor.config`` (1.4 s of torch._dynamo in every child) to set
    its ``deterministic`` flag, which only matters once ``torch.compile`` is in use; so the flag is set only
    where the student's code already imported it."""
    import sys

    setting = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setting is None:  # another torch: the public way
        torch.use_deterministic_algorithms(mode, warn_only=warn_only)
        return
    if "torch._inductor.config" in sys.modules:
        sys.modules["torch._inductor.config"].deterministic = mode
    setting(mode, warn_only=warn_only)


@contextlib.contextmanager
def uninitialised_memory(torch, filled: bool) -> Iterator[None]:
    """A probe run with uninitialised memory ``filled`` or left as the allocator hands it out; filled after."""
    fill_uninitialised_memory(torch)
    torch.utils.deterministic.fill_uninitialized_memory = filled
    try:
        yield
    finally:
        torch.utils.deterministic.fill_uninitialized_memory = True


def _same_tensors(a, b) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.numpy().tobytes() == b.numpy().tobytes()


def _plain(data, tensors: dict, out: list) -> object:
    """The encoded value with tensor keys replaced by the tensors, in order, and addresses blanked."""
    if isinstance(data, dict):
        if "tensor" in data:
            out.append(tensors[data["tensor"]])
            return {k: _plain(v, tensors, out) for k, v in data.items() if k != "tensor"}
        return {k: _plain(v, tensors, out) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v, tensors, out) for v in data]
    if isinstance(data, str):
        return _ADDRESS.sub("0x?", data)
    return data


def difference(first: dict, first_tensors: dict, second: dict, second_tensors: dict) -> str:
    """What differs between two runs of the same probe ('' when they agree): the outcome, then each value."""
    if first["status"] != second["status"]:
        how = {"ok": "completed", "error": "raised"}
        return f"the call {how.get(first['status'])} once and {how.get(second['status'])} once"
    error_a, error_b = first.get("error") or {}, second.get("error") or {}
    if (error_a.get("type"), _plain(error_a.get("message"), {}, [])) != \
            (error_b.get("type"), _plain(error_b.get("message"), {}, [])):
        return f"it raised {error_a.get('type')} once and {error_b.get('type')} once"
    for name, value in first["values"].items():
        tensors_a, tensors_b = [], []
        plain_a = _plain(value, first_tensors, tensors_a)
        plain_b = _plain(second["values"].get(name), second_tensors, tensors_b)
        if plain_a != plain_b or len(tensors_a) != len(tensors_b) or \
                not all(_same_tensors(a, b) for a, b in zip(tensors_a, tensors_b)):
            return f"`{name}` came out different"
    return ""


def same_plain_tensors(first_values: dict, first_tensors: dict, second: dict, torch) -> bool:
    """Whether a second run observed, under each name the first run's encoded values have, a plain CPU tensor
    (``torch.Tensor`` or ``nn.Parameter``) equal bit for bit to the first run's (encoded before the second run
    began, so that a tensor the second run changed in place is seen to differ), or None where the first run had
    None: the common case, told without encoding the second run's values. False only says to compare them encoded
    (``difference``)."""
    if first_values.keys() != second.keys():
        return False
    try:
        for name, value in second.items():
            encoded = first_values[name]
            if value is None and encoded.get("type") == "none":
                continue
            if encoded.get("type") != "tensor" or encoded.get("class_name") is not None or \
                    encoded.get("device") != "cpu" or type(value) not in (torch.Tensor, torch.nn.Parameter) or \
                    value.device.type != "cpu":
                return False
            if not _same_tensors(first_tensors[encoded["tensor"]], value.detach()):
                return False
    except Exception:  # noqa: BLE001 - a dtype numpy lacks (bfloat16), a conjugate view: compared encoded instead
        return False
    return True


def runs_student_code(steps: list, module: Any, observed: dict, torch) -> bool:
    """Whether a probe's steps ran any code of the student's, so that a second run could answer differently: not
    when each step only read a name the file bound to a plain value (a number, a string, a tensor) in an ordinary
    module, so that no ``__getattr__``, property or ``__repr__`` of the student's was called."""
    if type(module) is not types.ModuleType:
        return True
    names = vars(module)
    if any(not step.read or "." in step.read or step.read not in names for step in steps):
        return True
    return not all(type(value) in _PLAIN or type(value) is torch.Tensor for value in observed.values())
