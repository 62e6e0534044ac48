"""Answer key of comp4901y-hw1 question 4: forward- and reverse-mode tables of
y1 = (x1 + x2)^2, y2 = (x1 - x2)^2 at x1 = 2, x2 = 4 (or any other point), every entry
computed with torch.func.

Each function returns ``{"columns": [...], "rows": [[...], ...]}`` for `grade sheet`.
"""
import torch
from torch.func import jvp, vjp

X = torch.tensor([2.0, 4.0])
NAMES = ["v_-1 = x1", "v_0 = x2", "v_1 = v_-1 + v_0", "v_2 = v_-1 - v_0", "v_3 = v_1^2", "v_4 = v_2^2",
         "y_1 = v_3", "y_2 = v_4"]


def trace(x):
    """Every intermediate of the computation graph, in the table's row order."""
    v_m1, v_0 = x[0], x[1]
    v_1, v_2 = v_m1 + v_0, v_m1 - v_0
    v_3, v_4 = v_1**2, v_2**2
    return torch.stack([v_m1, v_0, v_1, v_2, v_3, v_4, v_3, v_4])


def _number(t):
    value = float(t)
    return int(value) if value.is_integer() else value


def _forward_table(direction, x=X):
    primals, tangents = jvp(trace, (torch.as_tensor(x, dtype=torch.float32),), (direction,))
    rows = [[name, _number(p), "dot " + name.split(" ")[0], _number(t)] for name, p, t in zip(NAMES, primals, tangents)]
    return {"columns": ["forward primal", "value", "forward tangent", "value"], "rows": rows}


def forward_table_1(x=X):
    """Table 1: tangents with x1' = 1, x2' = 0 (dy1/dx1 and dy2/dx1)."""
    return _forward_table(torch.tensor([1.0, 0.0]), x)


def forward_table_2(x=X):
    """Table 2: tangents with x1' = 0, x2' = 1 (dy1/dx2 and dy2/dx2)."""
    return _forward_table(torch.tensor([0.0, 1.0]), x)


def _reverse_table(seed, x=X):
    x = torch.as_tensor(x, dtype=torch.float32)
    v_m1, v_0 = x
    v_1, v_2 = v_m1 + v_0, v_m1 - v_0
    bar_3, bar_4 = seed  # y1 = v3 and y2 = v4
    _, square_1 = vjp(lambda v: v**2, v_1)
    _, square_2 = vjp(lambda v: v**2, v_2)
    (bar_1,), (bar_2,) = square_1(bar_3), square_2(bar_4)
    _, add = vjp(lambda a, b: a + b, v_m1, v_0)
    _, sub = vjp(lambda a, b: a - b, v_m1, v_0)
    (add_m1, add_0), (sub_m1, sub_0) = add(bar_1), sub(bar_2)
    _, whole = vjp(trace, x)
    (x_bar,) = whole(torch.tensor([0, 0, 0, 0, 0, 0, float(seed[0]), float(seed[1])]))
    rows = [["v_-1 = x1", _number(v_m1), "x1_bar = v_-1_bar", _number(x_bar[0])],
            ["v_0 = x2", _number(v_0), "x2_bar = v_0_bar", _number(x_bar[1])],
            ["v_1 = v_-1 + v_0", _number(v_1), "v_-1_bar (through v_1)", _number(add_m1)],
            ["", "", "v_0_bar (through v_1)", _number(add_0)],
            ["v_2 = v_-1 - v_0", _number(v_2), "v_-1_bar (through v_2)", _number(sub_m1)],
            ["", "", "v_0_bar (through v_2)", _number(sub_0)],
            ["v_3 = v_1^2", _number(v_1**2), "v_1_bar", _number(bar_1)],
            ["v_4 = v_2^2", _number(v_2**2), "v_2_bar", _number(bar_2)],
            ["y_1 = v_3", _number(v_1**2), "y_1_bar = v_3_bar", _number(bar_3)],
            ["y_2 = v_4", _number(v_2**2), "y_2_bar = v_4_bar", _number(bar_4)]]
    return {"columns": ["forward primal", "value", "reverse adjoint", "value"], "rows": rows}


def reverse_table_3(x=X):
    """Table 3: adjoints with y1_bar = 1, y2_bar = 0 (dy1/dx1 and dy1/dx2)."""
    return _reverse_table(torch.tensor([1.0, 0.0]), x)


def reverse_table_4(x=X):
    """Table 4: adjoints with y1_bar = 0, y2_bar = 1 (dy2/dx1 and dy2/dx2)."""
    return _reverse_table(torch.tensor([0.0, 1.0]), x)
