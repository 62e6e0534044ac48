"""In the child: a rubric's tensor set on a registered parameter, the course's own drivers, where gradients reach."""
from __future__ import annotations

import textwrap

import pytest
import torch

from grader.handins.staging import CourseSetup, stage
from grader.inputs import generate_inputs
from grader.sandbox.child.autograd_probes import graph_flags, parameter_gradients
from grader.sandbox.parent.runner import run_file
from grader.sandbox.protocol import InputSpec, Probe, Step

MODEL = textwrap.dedent("""
    import torch
    from torch import nn
    from utils import scale

    class Model(nn.Module):
        def __init__(self, n, k):
            super().__init__()
            self.U = nn.Parameter(torch.zeros(k, n))   # stored transposed, used as U.T
            self.unused = nn.Parameter(torch.zeros(3))

        def forward(self, x):
            return scale(x @ self.U.T)
""")

DRIVERS = textwrap.dedent("""
    def doubled_output(model, seed=0, size=2):
        import torch
        return model.forward(torch.ones(1, size)) * 2
""")


def test_parameters_set_in_either_layout_course_drivers_and_gradients(tmp_path):
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "question1.py").write_text(MODEL)
    (tmp_path / "utils.py").write_text("def scale(x):\n    return 3 * x\n")
    (tmp_path / "drivers.py").write_text(DRIVERS)
    course = CourseSetup(files={"utils.py": tmp_path / "utils.py"}, drivers=tmp_path / "drivers.py")
    build = Step(call="Model", args=[2, 4], save="obj")
    weight = {"attr.U": InputSpec(shape=[2, 4])}
    probes = [
        Probe(id="set", inputs=weight, steps=[build, Step(set="obj.U", value={"input": "attr.U"}),
                                               Step(read="obj.U", observe="U")]),
        Probe(id="bad", inputs={"attr.U": InputSpec(shape=[3, 3])},
              steps=[build, Step(set="obj.U", value={"input": "attr.U"})]),
        Probe(id="driver", inputs=weight, steps=[build, Step(set="obj.U", value={"input": "attr.U"}),
                                                  Step(driver="doubled_output", args=[{"var": "obj"}],
                                                       kwargs={"size": 2}, observe="out")]),
        Probe(id="flow", inputs={"x": InputSpec(shape=[5, 2])},
              steps=[build, Step(call="obj.forward", args=[{"input": "x"}], save="result"),
                     Step(driver="grader.parameter_gradients", args=[{"var": "obj"}, {"var": "result"}],
                          kwargs={"seed": 1}, observe="gradients")]),
        Probe(id="missing", steps=[Step(driver="no_such_driver", args=[{"module": True}], observe="x")]),
    ]
    staged = stage(tmp_path / "student", "question1.py", course)
    try:
        assert not (tmp_path / "student" / "utils.py").exists(), "the student's folder is never changed"
        obs = run_file(staged.module_file, staged.folder, probes)
    finally:
        staged.close()
    assert obs.imported.status == "ok", obs.imported.explain()
    given = generate_inputs(weight, probes[0].seed)["attr.U"]
    assert torch.equal(obs.probes["set"].values["U"].tensor, given.T), "copied into the transposed parameter"
    assert obs.probes["bad"].error.message == ("the grader sets `U` to a tensor of shape (3, 3), but the model's "
                                               "parameter `U` has shape (4, 2)")
    expected = 2 * 3 * (torch.ones(1, 2) @ given)
    assert torch.allclose(obs.probes["driver"].values["out"].tensor, expected)
    states = obs.probes["flow"].values["gradients"]
    assert dict(zip(states.keys, [v.text for v in states.items])) == {"U": "reached", "unused": "no gradient"}
    assert obs.probes["missing"].error.message == "the course's drivers.py defines no driver `no_such_driver`"


class Frozen(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.ones(3))
        self.b = torch.nn.Parameter(torch.ones(3), requires_grad=False)
        self.c = torch.nn.Parameter(torch.ones(3))


def test_where_gradients_reach_in_modules_and_hand_written_models():
    model = Frozen()
    softmax = torch.softmax(model.a * torch.arange(3.0) + model.c * 0, dim=0)
    assert parameter_gradients(model, softmax) == {"a": "reached", "b": "does not require grad",
                                                   "c": "zero gradient"}, "a plain sum of a softmax would miss `a`"
    assert parameter_gradients(model, softmax.detach()) == {"a": "no gradient", "b": "does not require grad",
                                                            "c": "no gradient"}

    class ByHand:
        def __init__(self):
            self.W1 = torch.randn(2, 2, requires_grad=True)
            self.W2 = torch.randn(2, 1, requires_grad=True)
            self.lr = 0.1

    net = ByHand()
    assert parameter_gradients(net, (torch.ones(1, 2) @ net.W1, None)) == {"W1": "reached", "W2": "no gradient"}
    assert parameter_gradients(net, net.W2.sum(), names=["W2"]) == {"W2": "reached"}


def test_graph_flags_follow_the_value():
    x = torch.ones(2, requires_grad=True)
    assert graph_flags((x * 2, x.detach(), {"k": [x]}, 3)) == [True, False, {"k": [True]}, None]


def test_an_unknown_parameter_name_raises():
    with pytest.raises(AttributeError):
        parameter_gradients(Frozen(), torch.ones(1), names=["W9"])
