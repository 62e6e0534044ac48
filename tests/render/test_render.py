"""The inline SVG charts."""
from __future__ import annotations

import re

from grader.render.svg import curves_svg, histogram_svg


def test_histogram_counts_each_total_once():
    svg = histogram_svg([0, 10, 39.5, 40, 40], 40, bins=4)
    counts = [int(c) for c in re.findall(r": (\d+)</title>", svg)]
    assert counts == [1, 1, 0, 3]  # [0,10) [10,20) [20,30) [30,40]: the maximum joins the last bin


def test_curves_have_axes_and_legend():
    svg = curves_svg({"student": [3, 2, 1], "reference": [3, 1.5, 1]})
    assert svg.count("<polyline") == 2 and ">student</text>" in svg and ">reference</text>" in svg
    assert "recorded point" in svg and ">loss</text>" in svg


def test_curves_skip_non_finite_points_and_empty_series():
    assert curves_svg({"student": [float("nan")], "reference": None}) == ""
