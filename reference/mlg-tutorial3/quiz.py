"""The discussion and implementation items of mlg-tutorial3 as Moodle questions (`grade quiz`).

Numbers come from running the reference (tutorial3.py) on the tutorial's tensors (variant 1), or
on others in variant k > 1, drawn without repeats: each input has a stream of its own, seeded by
`seed`, and variant k takes its k-1-th new value. The discussion items are multiple choice where
the tutorial has one answer and essays where it asks for an explanation.
"""
import random

import torch

from tutorial3 import ce_loss, logistic_loss, mse_grad_autograd

RIGHT, WRONG = 100, 0


def _choice(name, text, right, wrong, points=1.0):
    return {"name": name, "text": f"<p>{text}</p>", "type": "multichoice", "points": points,
            "choices": [{"text": right, "fraction": RIGHT}] + [{"text": w, "fraction": WRONG} for w in wrong]}


def _essay(name, text, feedback):
    return {"name": name, "text": f"<p>{text}</p>", "type": "essay", "points": 1.0, "feedback": feedback}


HANDOUT = {"X": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], "w": [3.0, 2.0, 1.0], "y": [2.0, 4.0, 8.0],
           "W": [[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], "x": [1.0, 2.0, 3.0], "lr": 0.1}
STEP_SIZES = [0.001, 0.005, 0.01, 0.02, 0.05, 0.2, 0.5]


def _ints(rng, rows, cols, scale=1.0):
    return [[rng.randint(-3, 9) / scale for _ in range(cols)] for _ in range(rows)]


DRAWS = {"X": lambda rng: _ints(rng, 3, 3), "w": lambda rng: _ints(rng, 1, 3)[0], "y": lambda rng: _ints(rng, 1, 3)[0],
         "W": lambda rng: _ints(rng, 2, 3, 10), "x": lambda rng: _ints(rng, 1, 3, 10)[0],
         "lr": lambda rng: rng.choice(STEP_SIZES)}


def drawn(name, variant, seed, tries=1000):
    """Variant k's value of one input: the k-1-th new value of its own stream (the handout's is variant 1's)."""
    rng, seen = random.Random(f"{seed}/{name}"), [HANDOUT[name]]
    while len(seen) < variant and tries:
        tries -= 1
        value = DRAWS[name](rng)
        if value not in seen:
            seen.append(value)
    if len(seen) < variant:
        raise ValueError(f"{name}: only {len(seen)} different values to draw, fewer than {variant} variants")
    return seen[variant - 1]


def _tensors(variant, seed):
    values = {name: drawn(name, variant, seed) for name in HANDOUT}
    return (*(torch.tensor(values[name]) for name in ("X", "w", "y", "W", "x")), values["lr"])


def _show(t):
    return str([round(v, 4) for v in t.tolist()]) if t.dim() == 1 else str([[round(v, 4) for v in r] for r in t.tolist()])


def quiz_items(variant=1, seed=0, spread_seeds=50):
    """Implementation items with computed answers, then the discussion items."""
    X, w, y, W, x, lr = _tensors(variant, seed)
    grad = mse_grad_autograd(X, w, y)
    setting = f"X = {_show(X)}, w = {_show(w)}, y = {_show(y)}"
    items = [{"name": f"2 gradient of L, component {i}", "type": "numerical", "answer": float(grad[i]),
              "tolerance": 0.001, "points": 0.5,
              "text": f"<p>L = ||Xw - y||<sup>2</sup> with {setting}. What is component {i} (from 0) of the "
                      "gradient of L with respect to w?</p>"} for i in range(3)]
    scores = f"w = {_show(W)}, x<sub>i</sub> = {_show(x)}"
    items.append({"name": "3 cross entropy with label 0", "type": "numerical", "points": 1.0, "tolerance": 0.001,
                  "answer": float(ce_loss(W, x, torch.tensor(0))),
                  "text": f"<p>With {scores}: what is nn.CrossEntropyLoss(reduction='sum') of w @ x<sub>i</sub> "
                          "for y<sub>i</sub> = torch.tensor(0)? Give 3 decimals.</p>"})
    items.append({"name": "3 hand-written logistic loss", "type": "numerical", "points": 1.0, "tolerance": 0.001,
                  "answer": float(logistic_loss(W, x)),
                  "text": f"<p>With {scores} and s = w @ x<sub>i</sub>: what is log(1 + exp(s[1] - s[0]))? "
                          "Give 3 decimals.</p>"})
    items.append({"name": "4 step size", "type": "numerical", "points": 0.5, "tolerance": 1e-9, "answer": lr,
                  "text": f"<p>opt = optim.SGD(w.parameters(), lr={lr:g}). What is the step size of stochastic "
                          "gradient descent?</p>"})
    items += [
        _choice("2 autograd and the formula", "Is 2(X<sup>T</sup>Xw - X<sup>T</sup>y) the same as the gradient "
                "PyTorch computes for L = ||Xw - y||<sup>2</sup>?", "Yes, up to floating-point rounding",
                ["No, PyTorch's gradient is half of it", "No, they differ in sign"]),
        _choice("3 logistic loss and cross entropy", "Is log(1 + exp(s[1] - s[0])) the loss PyTorch's cross "
                "entropy gives for the label 0?", "Yes",
                ["No, it is the loss for the label 1", "No, it is the loss averaged over both labels"]),
        _choice("3 different results", "Running the nn.Linear(3, 2) code several times prints different losses. "
                "Why?", "nn.Linear initialises its weight and bias randomly each time",
                ["The cross entropy loss is random", "The input tensor changes between runs"]),
        _choice("3 parameters", "What are the parameters of nn.Linear(3, 2)?",
                "A 2 x 3 weight matrix and a bias vector of 2", ["A 3 x 2 weight matrix only",
                                                                "A 2 x 3 weight matrix only"]),
        _choice("3 linear or affine", "Is torch.nn.Linear linear?", "No, it is affine: x -> Wx + b",
                ["Yes, it is linear", "It is linear exactly when it has no parameters"]),
        _choice("4 zero_grad", "What does opt.zero_grad() do, and why does forgetting it matter?",
                "It clears the .grad fields; without it every backward() adds to the previous gradients",
                ["It deletes the computation graph; without it memory grows",
                 "It sets the parameters to zero; without it training diverges"]),
        _essay("3 cross entropy is positive", "Why is the cross entropy loss above 0 when y<sub>i</sub> = "
               "torch.tensor(1)?", "Softmax gives the label a probability below 1, so -log p > 0."),
        _essay("3 cross entropy", "Show that the indicator expression equals -log p(y<sub>i</sub> | x<sub>i</sub>), "
               "and explain why the left-hand side is a cross entropy.",
               "Marked by hand: both cases of the indicator, and q as the one-hot distribution of the label."),
    ]
    return items
