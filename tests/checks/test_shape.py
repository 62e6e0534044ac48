"""``kind: shape``: only the shape (and, when asked, the dtype) is compared, in either layout when allowed."""
from __future__ import annotations

import torch

from tests.checks.conftest import answers, make_spec, observed, ok, plan_of, score

INIT = {"object": {"class": "Model", "args": [{"dim": "v"}, {"dim": "d"}]}, "read": "U",
        "dims": {"v": [5, 7], "d": [2, 3]}, "trials": 3}


def test_plan_reads_the_attribute_after_building_the_object():
    spec = make_spec("shape", **INIT)
    plan = plan_of(spec)
    assert plan.reference == plan.student
    construct, read = plan.student[0].steps
    assert construct.call == "Model" and (read.read, read.observe) == ("obj.U", "U")


def weights(probes, transpose=False, dtype=torch.float32):
    """Observations of a random (v, d) weight per probe, its values unrelated to the reference's."""
    obs = []
    for probe in probes:
        v, d = probe.steps[0].args
        w = torch.randn(v, d, dtype=dtype)
        obs.append(ok(probe.id, {"U": w.T if transpose else w}, whole=True))
    return observed(*obs)


def test_values_do_not_matter_only_the_shape():
    spec = make_spec("shape", **INIT)
    probes = plan_of(spec).student
    verdict = score(spec, weights(probes), weights(probes))
    assert (verdict.fraction, verdict.message) == (1.0, "`U` has the reference's shape on all 3 trials")


def test_the_other_layout_fails_unless_accepted():
    spec = make_spec("shape", **INIT)
    probes = plan_of(spec).student
    reference, transposed = weights(probes), weights(probes, transpose=True)
    verdict = score(spec, transposed, reference)
    v, d = probes[0].steps[0].args
    assert verdict.fraction == 0.0 and verdict.message.endswith(f"shape ({d}, {v}), expected ({v}, {d})")
    accepting = make_spec("shape", **INIT, accept_transposed=True)
    assert score(accepting, transposed, reference).fraction == 1.0


def test_dtype_only_when_asked_and_lists_item_by_item():
    spec = make_spec("shape", **INIT)
    probes = plan_of(spec).student
    doubles = weights(probes, dtype=torch.float64)
    assert score(spec, doubles, weights(probes)).fraction == 1.0
    verdict = score(make_spec("shape", **INIT, check_dtype=True), doubles, weights(probes))
    assert verdict.fraction == 0.0 and verdict.message.endswith("dtype float64, expected float32")
    pair = make_spec("shape", call="split", args=[{"tensor": [4, 6]}])
    probes = plan_of(pair).student
    reference = answers(probes, lambda x: (x[:, :2], x[:, 2:]), whole=True)
    verdict = score(pair, answers(probes, lambda x: (x[:, :2], x[:, 3:])), reference)
    assert verdict.message == "trial 1: item 1: shape (4, 3), expected (4, 4)"
    verdict = score(pair, answers(probes, lambda x: x), reference)
    assert verdict.message == "trial 1: returned a tensor of shape (4, 6), float32, expected a tuple of 2 items"
