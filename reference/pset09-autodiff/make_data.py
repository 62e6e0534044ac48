"""The data set of pset09-autodiff problem 2: X.pt and y.pt, a noisy line.

    python make_data.py [--out DIR]     # writes DIR/X.pt and DIR/y.pt (default: this folder)

The same seed always gives the same tensors; the files shipped in starter/ and reference/ were
made by this script, and tests/ checks that they still are.
"""
import argparse
from pathlib import Path

import torch

from grader.course.drivers import noisy_line  # the grader's checks train on exactly this data

N, SLOPE, BIAS, NOISE, SEED = 1000, 2.0, -1.0, 0.5, 2024


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    out = parser.parse_args().out
    X, y = noisy_line(N, SLOPE, BIAS, NOISE, SEED)
    torch.save(X, out / "X.pt")
    torch.save(y, out / "y.pt")
    print(f"{out / 'X.pt'}, {out / 'y.pt'}: {N} points of y = {SLOPE} x + {BIAS} + N(0, {NOISE}^2)")
