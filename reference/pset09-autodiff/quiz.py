"""The Moodle quiz of pset09-autodiff, every answer computed by the reference (`grade quiz`).

quiz_items(1, seed, n) is the handout's quiz; quiz_items(k, seed, n) for k > 1 a variant whose
inputs are drawn without repeats: each input has a stream of its own (seeded by `seed`), and
variant k takes the k-1-th value of that stream that no earlier variant (and not the handout) had.
Problem 2's answers depend on the DataLoader's shuffle: each is the median over `spread_seeds`
shuffles, with a tolerance covering their whole spread plus the rounding to 3 decimals.
"""
import io
import random

import torch

from answers import HANDOUT, MOMENTA, answer_key, plot_momentum

ROUNDING = 0.0005  # students report 3 decimals
LR21 = [0.002, 0.003, 0.005, 0.0075, 0.015, 0.02, 0.03, 0.04]  # 2.1's slope and bias stay near 2 and -1
LR23 = [0.0005, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006]  # 2.3's validation minimum stays stable
OTHER_MOMENTA = [(0.0, 0.1, 0.2, 0.3), (0.2, 0.4, 0.6, 0.8), (0.0, 0.3, 0.6, 0.9), (0.1, 0.4, 0.7, 0.95),
                 (0.0, 0.25, 0.5, 0.75), (0.5, 0.7, 0.9, 0.99), (0.0, 0.6, 0.8, 0.95)]
WRONG_OPTIONS = ["1.0, 0.9, 0.5, 0.1", "0, 1, 2, 3", "-1, 0, 1, 2"]
DRAWS = {"x11": lambda rng: round(rng.uniform(0.0, 4.0), 1), "x13": lambda rng: round(rng.uniform(0.5, 3.0), 3),
         "y13": lambda rng: round(rng.uniform(0.5, 3.0), 3),
         "A": lambda rng: [[float(rng.randint(-4, 5)) for _ in range(2)] for _ in range(2)],
         "x15": lambda rng: round(rng.uniform(-1.0, 1.0), 3), "lr21": lambda rng: rng.choice(LR21),
         "lr23": lambda rng: rng.choice(LR23)}


def drawn(name, draw, handout, variant, seed, tries=1000):
    """Variant k's value of one input: the k-1-th new value of its own stream (the handout's is variant 1's)."""
    if variant == 1:
        return handout
    rng, seen = random.Random(f"{seed}/{name}"), [handout]
    for _ in range(tries):
        value = draw(rng)
        if value not in seen:
            seen.append(value)
            if len(seen) == variant:
                return value
    raise ValueError(f"{name}: only {len(seen)} different values to draw, fewer than {variant} variants")


def _inputs(variant, seed):
    return {name: drawn(name, draw, HANDOUT[name], variant, seed) for name, draw in DRAWS.items()}


def _numerical(name, text, answer, tolerance, points, feedback=""):
    return {"name": name, "text": text, "type": "numerical", "answer": float(answer), "tolerance": float(tolerance),
            "points": points, "feedback": feedback}


def _spread(key, name):
    s = key["problem2"][name]
    return s["median"], max(s["max"] - s["median"], s["median"] - s["min"]) + ROUNDING


def _show(momenta):
    return ", ".join(f"{m:g}" if m != int(m) else f"{m:.1f}" for m in momenta)


def _momentum_item(momenta, variant, seed):
    buffer = io.BytesIO()
    X, y = torch.load("X.pt"), torch.load("y.pt")
    plot_momentum(buffer, X, y, momenta)
    right = _show(momenta)
    rng = random.Random(f"{seed}/2.5/{variant}")
    others = OTHER_MOMENTA[:2] if variant == 1 else rng.sample([ms for ms in [MOMENTA, *OTHER_MOMENTA]
                                                               if ms != momenta], 3)
    options = [_show(ms) for ms in others] + WRONG_OPTIONS
    if variant > 1:  # the wrong answers in an order of the variant's own
        rng.shuffle(options)
    choices = [{"text": right, "fraction": 100}] + [{"text": o, "fraction": 0} for o in options if o != right]
    data = buffer.getvalue()
    return {"name": "2.5 momentum", "type": "multichoice", "points": 1.5, "choices": choices,
            "text": "<p>The plot shows the batch loss of SGD with momentum (learning rate 0.001, 50 epochs, "
                    "parameters started at zero) for four values of the momentum. Which values were used, sorted "
                    "by colour from purple to light green?</p>",
            "image": {"name": "momentum.png", "data": data}}


def quiz_items(variant=1, seed=0, spread_seeds=50):
    """Every numerical item of problems 1.1-1.5 and 2.1-2.4, and the multiple choice 2.5."""
    inputs = _inputs(variant, seed)
    key = answer_key(spread_seeds, inputs)
    p1 = key["problem1"]
    tol = ROUNDING
    A = inputs["A"]
    how = f"Tolerance: the spread of the reference over {spread_seeds} shuffles of the DataLoader, plus rounding."
    items = [
        _numerical("1.1 derivative", f"<p>f(x) = 2 / ((5 - x)<sup>2</sup> + 2<sup>2</sup>). What is f'(x) at "
                   f"x = {inputs['x11']}? Round to 3 decimals.</p>", p1["1.1"], tol, 1.0),
        _numerical("1.3 df1/dx", f"<p>f(x, y) = [x<sup>2</sup> + y<sup>2</sup>, 2x<sup>2</sup>y<sup>2</sup>] at "
                   f"x = {inputs['x13']}, y = {inputs['y13']}. What is &part;f<sub>1</sub>/&part;x? "
                   "Round to 3 decimals.</p>", p1["1.3 df1/dx"], tol, 0.5),
        _numerical("1.3 df2/dy", f"<p>f(x, y) = [x<sup>2</sup> + y<sup>2</sup>, 2x<sup>2</sup>y<sup>2</sup>] at "
                   f"x = {inputs['x13']}, y = {inputs['y13']}. What is &part;f<sub>2</sub>/&part;y? "
                   "Round to 3 decimals.</p>", p1["1.3 df2/dy"], tol, 0.5),
        _numerical("1.4 trace gradient", f"<p>A = [[{A[0][0]:g}, {A[0][1]:g}], [{A[1][0]:g}, {A[1][1]:g}]] and "
                   "f(A) = trace(A @ A). What is element [0, 1] of the gradient of f with respect to A?</p>",
                   p1["1.4"], tol, 1.0),
        _numerical("1.5 first derivative", f"<p>For the sigmoid f at x = {inputs['x15']}: what is f'(x)? "
                   "Round to 3 decimals.</p>", p1["1.5 first"], tol, 0.5),
        _numerical("1.5 second derivative", f"<p>For the sigmoid f at x = {inputs['x15']}: what is f''(x)? "
                   "Round to 3 decimals.</p>", p1["1.5 second"], tol, 0.5),
    ]
    setting = (f"batch size 32, learning rate {inputs['lr21']:g}, 10 epochs, MSE, parameters started at zero, "
               "on X.pt and y.pt")
    for part in ("slope", "bias"):
        items.append(_numerical(f"2.1 {part}", f"<p>Train the linear model ({setting}). What is the {part}? "
                                "Round to 3 decimals.</p>", *_spread(key, f"2.1 {part}"), 0.5, how))
    split = (f"the 80:10:10 split (random_state=42), batch size 32, learning rate {inputs['lr23']:g}, 150 epochs")
    for part, label in (("train", "training"), ("val", "validation")):
        median, spread = _spread(key, f"2.3 {part} argmin")
        items.append(_numerical(f"2.3 {label} minimum", f"<p>With {split}: at which epoch index (counting from 0) "
                                f"is the {label} MSE smallest?</p>", round(median), max(1.0, spread), 0.5, how))
    for part, label in (("final", "after all 150 epochs"), ("best", "at the epoch of the smallest validation MSE")):
        items.append(_numerical(f"2.4 test MSE {part}", f"<p>With {split}: what is the MSE on the test set {label}? "
                                "Round to 3 decimals.</p>", *_spread(key, f"2.4 test mse {part}"), 0.25, how))
    momenta = drawn("momenta", lambda rng: rng.choice(OTHER_MOMENTA), MOMENTA, variant, seed)
    items.append(_momentum_item(momenta, variant, seed))
    return items
