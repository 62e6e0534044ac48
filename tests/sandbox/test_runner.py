"""The child and its runner: failures cost only the probe that caused them."""
from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from grader.observe import FileObservations
from grader.sandbox.protocol import InputSpec, Probe, SandboxSettings, Step
from grader.sandbox.parent.launcher import Launcher
from grader.sandbox.parent.pool import ForkServerLauncher
from grader.sandbox.parent.runner import run_file

INPUTS = {"a": InputSpec(shape=[2, 3]), "b": InputSpec(shape=[2, 3])}


def call(probe_id: str, name: str, timeout: float = 5.0, **kw) -> Probe:
    return Probe(id=probe_id, inputs=INPUTS, timeout=timeout,
                 steps=[Step(call=name, args=[{"input": "a"}, {"input": "b"}], observe="out", **kw)])


@pytest.fixture(scope="module")
def launcher() -> Iterator[ForkServerLauncher]:
    """Children forked from one warm interpreter: which launcher starts them is not what these tests are about."""
    with ForkServerLauncher(1) as pool:
        yield pool


def grade_module(launcher: Launcher, tmp_path: Path, code: str, probes: list[Probe], **kw) -> FileObservations:
    """``code`` as a student's ``q.py``, run against ``probes``."""
    folder = tmp_path / "student"
    folder.mkdir(exist_ok=True)
    (folder / "q.py").write_text(textwrap.dedent(code))
    return run_file("q.py", folder, probes, import_timeout=20, launcher=launcher, **kw)


MODULE = """
import os, sys, time, torch
def add(a, b): return a + b
def hang(a, b): time.sleep(60)
def leave(a, b): os._exit(0)
def quit(a, b): sys.exit(0)
def np_out(a, b): return (a + b).numpy()
class Weird(Exception):
    def __str__(self): raise RuntimeError("no")
def weird(a, b): raise Weird()
def secret_einsum(a, b): return getattr(torch, "ein" + "sum")("ij,ij->ij", a, b)
"""


def test_one_hang_or_exit_costs_one_probe(tmp_path, launcher):
    probes = [call("p1", "add"), call("p2", "hang", timeout=1), call("p3", "add"), call("p4", "leave"),
              call("p5", "quit"), call("p6", "add")]
    obs = grade_module(launcher, tmp_path, MODULE, probes)
    status = {k: v.status for k, v in obs.probes.items()}
    assert status == {"p1": "ok", "p2": "timeout", "p3": "ok", "p4": "crashed", "p5": "error", "p6": "ok"}
    assert "within 1 s" in obs.probes["p2"].detail
    assert "exited with status 0 before finishing" in obs.probes["p4"].detail
    assert "sys.exit" in obs.probes["p5"].error.message
    expected = obs.probes["p1"].values["out"].tensor
    assert obs.probes["p6"].values["out"].tensor.equal(expected)


def test_inputs_are_seeded_and_regenerable(tmp_path, launcher):
    from grader.inputs import generate_inputs

    probe = call("p", "add").model_copy(update={"seed": 1234})
    obs = grade_module(launcher, tmp_path, MODULE, [probe])
    inputs = generate_inputs(probe.inputs, 1234)
    assert obs.probes["p"].values["out"].tensor.equal(inputs["a"] + inputs["b"])


def test_values_come_back_as_plain_data(tmp_path, launcher):
    obs = grade_module(launcher, tmp_path, MODULE, [call("n", "np_out"), call("w", "weird")])
    assert obs.probes["n"].values["out"].type == "ndarray"
    assert obs.probes["w"].status == "error"
    assert obs.probes["w"].error.type == "Weird"
    assert "could not be printed" in obs.probes["w"].error.message


def test_op_trace_sees_hidden_calls(tmp_path, launcher):
    obs = grade_module(launcher, tmp_path, MODULE, [call("t", "secret_einsum", trace=True)])
    assert obs.probes["t"].ops.get("torch.einsum") == 1


def test_import_errors_and_missing_names(tmp_path, launcher):
    obs = grade_module(launcher, tmp_path, "import torch\nraise ValueError('at import')\n", [call("p", "add")])
    assert obs.imported.status == "error" and obs.imported.error.type == "ValueError"
    assert obs.imported.error.traceback == ["q.py, line 2: raise ValueError('at import')"]
    obs = grade_module(launcher, tmp_path, "def other(): pass\n", [call("p", "add")])
    assert obs.probes["p"].error.type == "MissingName" and obs.probes["p"].error.message == "add"
    assert "other" in obs.imported.defined


def test_exit_at_import_and_hang_at_import(tmp_path, launcher):
    obs = grade_module(launcher, tmp_path, "import os\nos._exit(0)\n", [call("p", "add")])
    assert obs.imported.status == "crashed"
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "q.py").write_text("import time\ntime.sleep(60)\n")
    obs = run_file("q.py", folder, [call("p", "add")], import_timeout=2, launcher=launcher)
    assert obs.imported.status == "timeout"


def test_missing_file_lists_what_is_there(tmp_path, launcher):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "Question1.py").write_text("")
    obs = run_file("question1.py", folder, [], launcher=launcher)
    assert obs.imported.status == "missing" and "Question1.py" in obs.imported.detail


def test_student_cannot_change_the_submission(tmp_path, launcher):
    code = "open('question_notes.txt', 'w').write('x')\ndef add(a, b): return a + b\n"
    grade_module(launcher, tmp_path, code, [call("p", "add")])
    assert sorted(p.name for p in (tmp_path / "student").iterdir()) == ["q.py"]


def test_a_forked_child_collects_garbage_without_touching_the_preloads(tmp_path, launcher):
    """The fork server froze torch's objects: a collection in a child leaves the shared pages unwritten."""
    code = "import gc\ndef add(a, b): return gc.get_freeze_count() + 0 * gc.collect()\n"
    obs = grade_module(launcher, tmp_path, code, [call("p", "add")])
    assert obs.probes["p"].values["out"].number > 100_000  # torch alone makes a few hundred thousand objects


def test_the_working_copy_is_in_the_childs_own_tmpfs(tmp_path, launcher):
    """The child copies the submission straight into its tmpfs: no copy of it is on the disk while student code runs."""
    code = ("import os\ndef add(a, b):\n    disk = os.statvfs('.')\n"
            "    return [os.getcwd(), sorted(os.listdir('.')), disk.f_blocks * disk.f_frsize // 2**20]\n")
    obs = grade_module(launcher, tmp_path, code, [call("p", "add")])
    cwd, listing, size = obs.probes["p"].values["out"].items
    assert [i.text for i in listing.items] == ["q.py"] and size.number == SandboxSettings().disk_mb
    assert cwd.text.endswith("/box/work") and not Path(cwd.text).exists()  # nothing of it on the grader's disk


def test_with_the_tmpfs_off_the_child_works_on_a_copy_on_disk(tmp_path, launcher):
    student = tmp_path / "student"
    student.mkdir()
    os.mkfifo(student / "pipe")
    code = ("import os\nopen('notes.txt', 'w').write('x')\n"
            "def add(a, b): return [os.getcwd(), sorted(os.listdir('.'))]\n")
    obs = grade_module(launcher, tmp_path, code, [call("p", "add")], sandbox=SandboxSettings(disable=["tmpfs-quota"]))
    assert "tmpfs-quota (switched off)" in obs.imported.sandbox_missing
    cwd, listing = obs.probes["p"].values["out"].items
    assert cwd.text.endswith("/work") and not cwd.text.startswith(str(tmp_path)) and not Path(cwd.text).exists()
    assert [i.text for i in listing.items] == ["notes.txt", "q.py"]  # the FIFO left out, never opened
    assert sorted(p.name for p in student.iterdir()) == ["pipe", "q.py"]


def test_output_is_captured_and_capped(tmp_path, launcher):
    code = "import sys\nsys.stdout.write('x' * 200_000)\nprint('END')\ndef add(a, b): return a + b\n"
    obs = grade_module(launcher, tmp_path, code, [call("p", "add")])
    assert "bytes not kept" in obs.stdout and obs.stdout.rstrip().endswith("END")
    assert len(obs.stdout) < 70_000


def test_tensor_subclass_is_sent_as_plain_tensor(tmp_path, launcher):
    code = '''
import torch
class Liar(torch.Tensor):
    @property
    def shape(self): return (99,)
def add(a, b): return (a + b).as_subclass(Liar)
'''
    obs = grade_module(launcher, tmp_path, code, [call("p", "add")])
    value = obs.probes["p"].values["out"]
    assert type(value.tensor) is torch.Tensor and tuple(value.tensor.shape) == (2, 3)
    assert value.class_name.endswith("Liar")


def test_parent_never_unpickles(tmp_path):
    """A pickle in the tensor file is read as raw numbers: its code never runs."""
    import json
    import pickle

    from grader.observe import read_reply

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    blob = pickle.dumps({"t0": Evil()})
    blob += b"\0" * (-len(blob) % 4)
    (tmp_path / "probe-x.bin").write_bytes(blob)
    index = [{"key": "t0", "dtype": "float32", "shape": [len(blob) // 4], "offset": 0, "nbytes": len(blob)}]
    (tmp_path / "probe-x.json").write_text(json.dumps({"tensor_index": index}))
    _, tensors = read_reply(tmp_path / "probe-x")
    assert tensors["t0"].shape == (len(blob) // 4,)
    assert not marker.exists()


@pytest.mark.parametrize("entry", [
    {"key": "t0", "dtype": "object", "shape": [1], "offset": 0, "nbytes": 4},
    {"key": "t0", "dtype": "float32", "shape": [-1], "offset": 0, "nbytes": 4},
    {"key": "t0", "dtype": "float32", "shape": [1000], "offset": 0, "nbytes": 4000},
    {"key": "t0", "dtype": "float32", "shape": [1], "offset": 2, "nbytes": 4},
])
def test_malformed_tensor_index_is_refused(tmp_path, entry):
    import json

    from grader.observe import read_reply
    from grader.tensor_files import TensorFileError

    (tmp_path / "probe-x.bin").write_bytes(b"\0" * 4)
    (tmp_path / "probe-x.json").write_text(json.dumps({"tensor_index": [entry]}))
    with pytest.raises(TensorFileError):
        read_reply(tmp_path / "probe-x")


def test_tensor_files_round_trip(tmp_path):
    from grader.tensor_files import read_tensors, write_tensors

    tensors = {"a": torch.randn(2, 3), "b": torch.tensor(3.5, dtype=torch.float64), "c": torch.zeros(0, 4),
               "d": torch.tensor([True, False]), "e": torch.arange(6).reshape(2, 3)[:, 1], "f": torch.ones(2).bfloat16()}
    back = read_tensors(tmp_path / "t.bin", write_tensors(tmp_path / "t.bin", tensors))
    for key, tensor in tensors.items():
        assert back[key].dtype == tensor.dtype and back[key].equal(tensor.contiguous())
