"""The HTML reports in a real browser: headless Chromium, served over HTTP on localhost.

Each page must load without console errors, request nothing but itself (CSS, SVG and images
are inline), and read well with JavaScript switched off. Skips, saying why, when Playwright or
Debian's chromium package is not installed.
"""
from __future__ import annotations

import re
import shutil

import pytest

from docs.screenshots import CHROMIUM_ARGS, screenshot, serve
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def chromium_path() -> str | None:
    """Debian's chromium (the package `chromium`), if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium on this machine (apt-get install chromium; .ci/run does it)")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # noqa: BLE001 - any launch failure means: cannot test here
            pytest.skip(f"chromium at {executable} does not start headless: {exc}")
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(graded_examples):
    """The batch output folder on http://127.0.0.1:<port>/."""
    _, out = graded_examples
    server, base = serve(out)
    yield base, out
    server.shutdown()


def _open(browser, url: str, javascript: bool = True):
    """Load ``url``; returns the page, the console errors and every URL requested."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url} did not load"
    return page, errors, requests


@pytest.mark.parametrize("page_path", ["index.html", "reports/dave_transposed_grad.html",
                                       "reports/frank_syntax_error.html"])
def test_page_loads_clean_and_self_contained(browser, served, page_path):
    base, _ = served
    url = f"{base}/{page_path}"
    page, errors, requests = _open(browser, url)
    assert errors == [], f"console errors on {page_path}: {errors}"
    assert [r for r in requests if r != url and not r.startswith("data:")] == [], "the page fetched other files"
    page.context.close()


def test_report_reads_well_without_javascript(browser, served):
    base, _ = served
    page, errors, _ = _open(browser, f"{base}/reports/dave_transposed_grad.html", javascript=False)
    assert errors == []
    assert page.locator("h1").inner_text() == "comp4901y-hw1: dave_transposed_grad"
    assert page.locator("p.total").inner_text() == "52 / 100 points"
    row = page.locator("tr#question2-gradient\\.W1")
    assert row.is_visible() and "expected (3, 6)" in row.inner_text()
    assert page.locator("span.status.fail").first.is_visible()
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("system-ui"), "inline CSS applied"
    page.context.close()


def test_loss_curve_is_inline_svg_with_axes_and_legend(browser, served):
    base, _ = served
    page, _, _ = _open(browser, f"{base}/reports/alice_correct.html", javascript=False)
    svg = page.locator("tr#question2-loss_curve svg")
    assert svg.count() == 1 and svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    texts = svg.locator("text").all_text_contents()
    assert {"student", "reference", "loss", "recorded point"} <= set(texts)
    assert svg.locator("polyline").count() == 2
    page.context.close()


def test_summary_has_histogram_and_question_statistics(browser, served):
    base, _ = served
    page, _, _ = _open(browser, f"{base}/index.html", javascript=False)
    headers = page.locator("table").first.locator("th").all_inner_texts()
    assert headers == ["Question", "Max", "Mean", "Median", "Highest"]
    cells = page.locator("table").first.locator("tbody tr").first.locator("td").all_inner_texts()
    question1 = (15 + 12 + 11 + 15 + 15 + 0 + 13.75) / 7  # grace's misnamed function: graded, 25% deducted
    assert cells[0] == "question1" and float(cells[2]) == pytest.approx(question1, abs=1e-3)
    histogram = page.locator("svg[aria-label='histogram of totals']")
    assert histogram.is_visible() and histogram.locator("rect").count() == 10
    page.locator("a", has_text="bob_matmul").click()
    assert page.locator("h1").inner_text() == "comp4901y-hw1: bob_matmul"
    page.context.close()


def test_screenshots_can_be_taken(browser, served, tmp_path):
    """The code that makes the README's pictures (docs/screenshots.py) works."""
    base, _ = served
    for name, path in (("summary", "index.html"), ("report", "reports/dave_transposed_grad.html")):
        target = tmp_path / f"{name}.png"
        screenshot(browser, f"{base}/{path}", target)
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000


@pytest.fixture(scope="module")
def served_similarity(tmp_path_factory):
    """``grade similarity`` on the similarity corpus (renamed, reordered and notebook copies), served."""
    from grader.cli import main

    out = tmp_path_factory.mktemp("similarity")
    corpus = ROOT / "tests" / "similarity" / "corpus" / "comp4901y-hw1"
    assert main(["similarity", "comp4901y-hw1", str(corpus), "--out", str(out)]) == 0
    server, base = serve(out)
    yield base
    server.shutdown()


def test_similarity_page_is_self_contained_and_reads_without_javascript(browser, served_similarity):
    url = f"{served_similarity}/similarity.html"
    page, errors, requests = _open(browser, url)
    assert errors == [] and [r for r in requests if r != url and not r.startswith("data:")] == []
    page.context.close()
    page, errors, _ = _open(browser, url, javascript=False)
    assert errors == [] and "not a verdict" in page.locator("p.warning").inner_text()
    first = page.locator("h2#question2 ~ table").first.locator("tbody tr").first
    assert first.locator("td").nth(3).inner_text() == "1.00" and first.locator("a").is_visible()
    first.locator("a").click()
    code = page.locator("div.sbs").first
    assert code.is_visible() and code.locator("tr.hit").count() > 10
    assert code.locator("td.ln").filter(has_text=re.compile(r"^c2:1$")).count() == 1  # notebook: cell 2, line 1
    assert page.evaluate("getComputedStyle(document.querySelector('tr.hit td')).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.context.close()
