"""Moodle questions for comp4901y-hw1 question 4: every cell of the four tables, from question4_key.

quiz_items(1, seed, n) asks at the handout's point x1 = 2, x2 = 4; variant k > 1 draws another
point, without repeats: the k-1-th new point of a stream seeded by `seed`. Entries are exact small
integers (the tolerance only absorbs float formatting).
"""
import random

from question4_key import forward_table_1, forward_table_2, reverse_table_3, reverse_table_4

TABLES = [("Table 1 (forward mode, x1 dot = 1, x2 dot = 0)", forward_table_1),
          ("Table 2 (forward mode, x1 dot = 0, x2 dot = 1)", forward_table_2),
          ("Table 3 (reverse mode, y1 bar = 1, y2 bar = 0)", reverse_table_3),
          ("Table 4 (reverse mode, y1 bar = 0, y2 bar = 1)", reverse_table_4)]
HANDOUT = (2.0, 4.0)
GIVEN = {"dot v_-1", "dot v_0", "y_1_bar = v_3_bar", "y_2_bar = v_4_bar"}  # filled in by the handout


def drawn_point(variant, seed, tries=1000):
    """Variant k's point (x1, x2): the handout's for k = 1, else the k-1-th new point drawn."""
    rng, seen = random.Random(f"{seed}/x"), [HANDOUT]
    while len(seen) < variant and tries:
        tries -= 1
        x = (float(rng.randint(-5, 5)), float(rng.choice([-4, -3, -1, 1, 3, 4, 6])))
        if x not in seen:
            seen.append(x)
    if len(seen) < variant:
        raise ValueError(f"only {len(seen)} different points to draw, fewer than {variant} variants")
    return seen[variant - 1]


def quiz_items(variant=1, seed=0, spread_seeds=50):
    """One numerical item per cell a student fills in (primals once, then tangents and adjoints)."""
    x = drawn_point(variant, seed)
    point = f"x<sub>1</sub> = {x[0]:g}, x<sub>2</sub> = {x[1]:g}"
    intro = f"<p>y<sub>1</sub> = (x<sub>1</sub> + x<sub>2</sub>)<sup>2</sup>, y<sub>2</sub> = (x<sub>1</sub> - x<sub>2</sub>)<sup>2</sup> at {point}."
    items = []
    for name, primal in [(row[0], row[1]) for row in forward_table_1(x)["rows"][2:6]]:
        items.append({"name": f"Q4 primal {name.split(' ')[0]}", "type": "numerical", "answer": float(primal),
                      "tolerance": 0.001, "points": 0.5, "text": f"{intro} In the forward primal trace, what is {name}?</p>"})
    for title, table in TABLES:
        for _, _, label, value in table(x)["rows"]:
            if label in GIVEN or label.startswith("dot y_"):
                continue  # handed out, or equal to dot v_3 / dot v_4
            points = 1.0 if "forward" in title else 1.25  # 2 + 8 + 20 = the question's 30 points
            items.append({"name": f"Q4 {title.split(' (')[0]} {label}", "type": "numerical", "answer": float(value),
                          "tolerance": 0.001, "points": points, "text": f"{intro} {title}: what is {label}?</p>"})
    return items
