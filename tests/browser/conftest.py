"""Browser fixtures: Debian's Chromium, driven by Playwright, against the real stack.

One browser for the whole session and a fresh context (so fresh
sessionStorage) per test keep the suite quick. Playwright never downloads a
browser here: it launches /usr/bin/chromium (apt-get install chromium).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from browser_helpers import DESKTOP, ROOT, Visit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDGET_SCRIPT = ROOT / "build" / "web" / "widget.js"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium chromium-driver")
    if not WIDGET_SCRIPT.exists():
        pytest.fail("The widget is not built: run `make web`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def visit(browser: Browser, stack: Any, request: pytest.FixtureRequest) -> Iterator[Visit]:
    viewport = getattr(request, "param", DESKTOP)  # tests choose others with indirect=True
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    visit = Visit(page, stack)
    # A CSP violation or an uncaught error fails the test that caused it.
    page.on("console", lambda msg: visit.problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: visit.problems.append(str(error)))

    def on_dialog(dialog) -> None:
        visit.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield visit
    context.close()
    assert not visit.problems, f"Errors in the page: {visit.problems}"
