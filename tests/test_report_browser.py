"""The demo run's report in a real browser: headless Chromium, offline, opened from a copy in a
folder of its own (as from a USB stick).

Needs Debian's ``chromium`` (``make test`` installs it with apt when it is absent) and the
``playwright`` package (the ``dev`` extra); Playwright drives the system Chromium and never
downloads a browser. Where no Chromium can be found, the test fails and says how to get one.
Screenshots of both languages go to ``test-artifacts/`` (or ``$DTKS_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from dtks_link.cli import main
from dtks_link.report.strings import STRINGS

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("DTKS_TEST_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_VIEWS = """() => Array.from(document.querySelectorAll('.chart .view')).map(view => {
    const svg = view.querySelector('svg');
    return {
        chart: view.parentNode.getAttribute('data-chart'),
        lang: view.getAttribute('lang'),
        drawn: view.getAttribute('data-drawn'),
        marks: svg ? svg.querySelectorAll('.role-mark > *').length : 0,
        visible: view.offsetParent !== null,
        width: svg ? svg.getBoundingClientRect().width : 0,
    };
})"""
_HEADINGS = """() => Array.from(document.querySelectorAll('section'))
    .map(s => [s.id, s.querySelector('h2').innerText])"""


def _chromium() -> str:
    candidates = [os.environ.get("DTKS_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in [*candidates, "/usr/bin/chromium"]:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "no Chromium found for the report's browser test. Install Debian's package "
        "(`apt-get install -y chromium`; `make test` does it when it runs as root) or set "
        "DTKS_CHROMIUM to a Chromium or Chrome executable."
    )


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report `dtks-link demo` writes, copied alone into an empty folder."""
    out = tmp_path_factory.mktemp("demo")
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["demo", "--residents", "2000", "--seed", "1", "--out", str(out)]) == 0
    match = re.search(r"^report \(open it in a browser\): (.+)$", printed.getvalue(), re.M)
    assert match, "make demo must end by printing the report's path"
    written = Path(match.group(1))
    assert written.is_file()
    stick = tmp_path_factory.mktemp("usb_stick")
    return Path(shutil.copy(written, stick / "laporan.html"))


def test_report_draws_every_chart_offline_in_both_languages(demo_report: Path) -> None:
    chromium = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser test needs playwright: pip install -e '.[dev]' (make test installs it)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        except Exception as exc:
            pytest.fail(f"Chromium at {chromium} did not start: {exc}")
        try:
            context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.on("console", lambda m: _console(m, problems))
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(demo_report.as_uri())
            page.wait_for_selector("body[data-charts=done]", timeout=120_000)
            _check_page(page, "id")
            page.screenshot(path=str(ARTIFACTS / "report-id.png"), full_page=True)
            page.click("button[data-set-lang=en]")
            _check_page(page, "en")
            page.screenshot(path=str(ARTIFACTS / "report-en.png"), full_page=True)
            page.click("button[data-set-lang=id]")
            _check_page(page, "id")
        finally:
            browser.close()
    assert problems == []
    assert requests == [demo_report.as_uri()]  # nothing but the file itself was asked for


def _console(message: Any, problems: list[str]) -> None:
    if message.type in ("error", "warning"):
        problems.append(f"console {message.type}: {message.text}")


def _check_page(page: Any, lang: str) -> None:
    other = "en" if lang == "id" else "id"
    assert page.evaluate("document.documentElement.lang") == lang
    headings = page.evaluate(_HEADINGS)
    assert len(headings) >= 8
    for section, heading in headings:
        assert heading == STRINGS[f"sec.{section}"][lang], (section, heading)
        assert heading != STRINGS[f"sec.{section}"][other], (section, heading)
    views = page.evaluate(_VIEWS)
    charts = {v["chart"] for v in views}
    assert {"blocking", "model", "weights", "cluster_sizes", "expected_sweep", "measured_sweep"} <= charts
    assert any(c.startswith("waterfall_") for c in charts) and any(c.startswith("quality_") for c in charts)
    for view in views:
        assert view["drawn"] == "yes", view
        assert view["marks"] > 0, view  # an SVG with marks, not an empty frame
        assert view["visible"] == (view["lang"] == lang), view
        if view["visible"]:
            assert view["width"] > 100, view
    threshold = page.text_content(f'[data-chart=weights] .view[lang="{lang}"] svg') or ""
    assert ("ambang 0,90" if lang == "id" else "threshold 0.90") in threshold
    title = page.inner_text("header h1")
    assert title == STRINGS["title"][lang]
