"""The discussion and implementation items of mlg-tutorial3 as Moodle questions (`grade quiz`).

Numbers come from running the reference (tutorial3.py) on the tutorial's tensors, or on other
ones in a variant; the discussion items are multiple choice where the tutorial has one answer
and essays where it asks for an explanation.
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


def _tensors(rng):
    if rng is None:
        return (torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]), torch.tensor([3.0, 2.0, 1.0]),
                torch.tensor([2.0, 4.0, 8.0]), torch.tensor([[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
                torch.tensor([1.0, 2.0, 3.0]), 0.1)
    ints = lambda *shape: torch.tensor([[float(rng.randint(-3, 9)) for _ in range(shape[-1])]  # noqa: E731
                                        for _ in range(shape[0])])
    return (ints(3, 3), ints(1, 3)[0], ints(1, 3)[0], ints(2, 3) / 10, ints(1, 3)[0] / 10,
            rng.choice([0.01, 0.05, 0.2]))


def _show(t):
    return str([round(v, 4) for v in t.tolist()]) if t.dim() == 1 else str([[round(v, 4) for v in r] for r in t.tolist()])


def quiz_items(variant_seed=None, spread_seeds=50):
    """Implementation items with computed answers, then the discussion items."""
    rng = None if variant_seed is None else random.Random(variant_seed)
    X, w, y, W, x, lr = _tensors(rng)
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
