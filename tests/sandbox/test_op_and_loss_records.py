"""What the child records besides values: ops in the order run, and the named loss functions' values while the
file ran; and what the parent keeps of a forged record."""
from __future__ import annotations

import textwrap

from grader.handins.staging import CourseSetup, stage
from grader.observe import LOSSES_KEPT, SEQUENCE_RUNS
from grader.sandbox.parent.replies import loss_record, op_sequence
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import InputSpec, Probe, Step

CE, MSE = "torch.nn.functional.cross_entropy", "torch.nn.functional.mse_loss"

SCRIPT = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.functional import mse_loss as mse


def restored():
    return hasattr(F.cross_entropy, "__wrapped__")  # the recording wrapper is gone once the file has run


def looped(a):
    torch.stack([torch.ones(1) for _ in range(4)])
    out = torch.zeros(3)
    for i in range(3):
        out = out + a[i] * 2
    return out.sum()


def main():
    torch.manual_seed(0)
    crit = nn.CrossEntropyLoss()
    w = torch.zeros(4, 3, requires_grad=True)
    xs, ys = torch.randn(8, 4), torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    for step in range(2500):
        objective = crit(xs @ w, ys)
        objective.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
    mse(torch.ones(2), torch.zeros(2))  # imported under another name
    F.mse_loss(torch.ones(2), torch.full((2,), 3.0), reduction="none")  # per element: its mean, 4
    F.mse_loss(torch.zeros(2), torch.tensor([float("inf"), 0.0]))


if __name__ == "__main__":
    main()
"""


def test_losses_in_main_are_recorded_by_name_and_ops_keep_their_order(tmp_path):
    (tmp_path / "question2.py").write_text(textwrap.dedent(SCRIPT))
    staged = stage(tmp_path, "question2.py", CourseSetup(), run_as_main=20)
    probes = [Probe(id="ce", steps=[], losses=[CE]), Probe(id="mse", steps=[], losses=[MSE]),
              Probe(id="both", steps=[], losses=[MSE, CE]),
              Probe(id="restored", steps=[Step(call="restored", observe="out")]),
              Probe(id="loop", inputs={"a": InputSpec(shape=[3])},
                    steps=[Step(call="looped", args=[{"input": "a"}], trace=True)])]
    try:
        obs = run_file(staged.module_file, staged.folder, probes, import_timeout=30)
    finally:
        staged.close()
    ce = obs.probes["ce"].losses
    assert ce.count == 2500 and len(ce.first) == len(ce.last) == LOSSES_KEPT
    assert abs(ce.first[0] - 1.0986) < 1e-3  # log 3: zero weights, three classes
    assert ce.last[-1] < ce.first[-1] < ce.first[0] and ce.curve()[:LOSSES_KEPT] == ce.first
    mse = obs.probes["mse"].losses
    assert (mse.count, mse.first[:2], mse.first == mse.last) == (3, [1.0, 4.0], True)
    assert mse.first[2] == float("inf")
    assert obs.probes["both"].losses.count == 2503
    assert obs.probes["loop"].losses is None
    assert obs.probes["restored"].values["out"].number == 0
    assert obs.probes["loop"].sequence == ([("torch.ones", 4), ("torch.stack", 1), ("torch.zeros", 1)]
                                           + [("Tensor.__getitem__", 1), ("Tensor.mul", 1), ("Tensor.add", 1)] * 3
                                           + [("Tensor.sum", 1)])


def test_a_forged_loss_record_is_no_record():
    kept = {"count": 3, "first": [1.0, 2.0, "nan"], "last": [1.0, 2.0, "nan"]}
    assert loss_record(kept).last[:2] == [1.0, 2.0]
    assert loss_record({**kept, "count": 2}) is None  # three values for two calls
    assert loss_record({**kept, "count": True}) is None
    assert loss_record({**kept, "first": [1.0, True, 3.0]}) is None
    assert loss_record({**kept, "last": [1.0, "1e308", 3.0]}) is None
    assert loss_record({"count": 10**6, "first": [0.0] * (LOSSES_KEPT + 1), "last": [0.0] * LOSSES_KEPT}) is None
    assert loss_record([1, 2, 3]) is None and loss_record(None) is None


def test_an_op_sequence_is_bounded_and_a_malformed_one_dropped():
    long = [["torch.mm", 1], ["torch.add", 2]] * SEQUENCE_RUNS
    assert len(op_sequence(long)) == SEQUENCE_RUNS
    assert op_sequence([["torch.mm", 0]]) == [] and op_sequence([["torch.mm", "3"]]) == []
    assert op_sequence([["torch.mm", 2], ["x", 1, 2]]) == [] and op_sequence("torch.mm") == []
    (name, times), = op_sequence([["t" * 5000, 7]])
    assert times == 7 and len(name) < 300 and name.endswith("more characters not kept]")
