"""``within:`` names methods as ``Class.method``; ``grade validate`` warns of names the reference lacks and, with
``--ops``, lists the ops the reference runs and the required patterns that match none of them."""
from __future__ import annotations

import ast
import textwrap

from grader.checks.source_rules import scopes
from grader.cli import main

REFERENCE = textwrap.dedent("""
    import torch
    from torch import nn

    class Model(nn.Module):
        def __init__(self, v, d):
            super().__init__()
            self.E = nn.Parameter(torch.randn(v, d))

        def forward(self, ids):
            return self.E[ids].sum(dim=1)

    def forward(x):
        return x
""")

RUBRIC = """\
assignment: toy
questions:
  - id: question1
    checks:
      - {id: init, kind: source, within: [Model.__init__, Model.forwrd, forward], points: 1,
         require: [{call: torch.nn.Parameter}]}
      - id: tr
        kind: trace
        object: {class: Model, args: [5, 3]}
        call: forward
        args: [{tensor: [2, 4], dtype: int64, high: 5}]
        require_ops: ["torch.nn.functional.embedding|Tensor.index_select", "Tensor.sum"]
        points: 1
"""


def test_methods_are_scopes_and_the_last_definition_wins():
    tree = ast.parse(REFERENCE + "\nclass Model:\n    def forward(self):\n        pass\n")
    found = scopes(tree, ["Model.__init__", "Model.forward", "forward", "Model.missing", "forward.inner"])
    assert found["Model.__init__"] is None, "the later class Model has no __init__"
    assert found["Model.forward"].lineno > 14 and found["forward"].name == "forward"
    assert found["Model.missing"] is None and found["forward.inner"] is None


def test_validate_warns_of_unknown_scopes_and_lists_the_reference_ops(tmp_path, monkeypatch, capsys):
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "toy.yaml").write_text(RUBRIC)
    (tmp_path / "reference" / "toy").mkdir(parents=True)
    (tmp_path / "reference" / "toy" / "question1.py").write_text(REFERENCE)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "toy", "--ops"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "within `Model.forwrd` is not defined in" in out and "`Model.__init__` is not" not in out
    assert "Tensor.__getitem__ (1x)" in out and "Tensor.sum (1x)" in out
    assert ("question1/tr: require_ops `torch.nn.functional.embedding|Tensor.index_select` matches nothing the "
            "reference runs") in out
    assert "require_ops `Tensor.sum` matches nothing" not in out
