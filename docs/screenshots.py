"""Screenshots of the class summary and of one student's report, for the README.

    python docs/screenshots.py            # writes docs/summary.png and docs/report.png

Grades the shipped comp4901y-hw1 examples into a temporary folder, serves it on localhost
and photographs the pages in headless Chromium (Debian's `chromium` package, driven by
Playwright), with JavaScript off, as a student without scripts would see them.
"""
from __future__ import annotations

import functools
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update"]
PAGES = {"summary.png": "index.html", "report.png": "reports/dave_transposed_grad.html"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request."""

    def log_message(self, *args) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder`` on a free localhost port in a daemon thread; returns the server and its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def screenshot(browser, url: str, target: Path) -> None:
    """A full-page PNG of ``url`` at a laptop's width, JavaScript off."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    page.screenshot(path=str(target), full_page=True)
    context.close()


def main() -> int:
    """Grade the examples, serve them, write the screenshots into docs/."""
    from playwright.sync_api import sync_playwright

    from grader.cli import main as grade

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "marks"
        grade(["batch", "comp4901y-hw1", str(ROOT / "submissions_example" / "comp4901y-hw1"), "--out", str(out)])
        server, base = serve(out)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for name, path in PAGES.items():
                screenshot(browser, f"{base}/{path}", ROOT / "docs" / name)
                print(f"docs/{name}")
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
