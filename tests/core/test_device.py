"""Device selection, and the CUDA path where a GPU exists."""
from __future__ import annotations

import pytest
import torch

from grader.checks.base import Tolerance, tolerance_for
from grader.device import DeviceError, resolve_device

no_cuda = not torch.cuda.is_available()


def test_cpu_is_always_available():
    assert resolve_device("cpu") == "cpu"


def test_unknown_device():
    with pytest.raises(DeviceError, match="use cpu, cuda or cuda:N"):
        resolve_device("tpu")


@pytest.mark.skipif(not no_cuda, reason="this machine has CUDA; the absent-CUDA message cannot be shown")
def test_cuda_absent_gives_a_clear_error():
    with pytest.raises(DeviceError, match="no usable CUDA device"):
        resolve_device("cuda")


def test_gpu_tolerance_only_on_cuda():
    cpu, gpu = Tolerance(rtol=1e-6), Tolerance(rtol=1e-3)
    assert tolerance_for(cpu, gpu, "cpu") is cpu
    assert tolerance_for(cpu, gpu, "cuda:0") is gpu
    assert tolerance_for(cpu, None, "cuda:0") is cpu


@pytest.mark.skipif(no_cuda, reason="no CUDA device on this machine")
def test_probes_on_cuda_return_cpu_tensors(tmp_path):
    from grader.sandbox.protocol import InputSpec, Probe, Step
    from grader.sandbox.parent.runner import run_file

    (tmp_path / "q.py").write_text("def f(a):\n    assert a.is_cuda\n    return a * 2\n")
    probe = Probe(id="p", inputs={"a": InputSpec(shape=[3])}, steps=[Step(call="f", args=[{"input": "a"}], observe="out")])
    obs = run_file("q.py", tmp_path, [probe], device=resolve_device("cuda"))
    value = obs.probes["p"].values["out"]
    assert value.device.startswith("cuda") and value.tensor.device.type == "cpu"
