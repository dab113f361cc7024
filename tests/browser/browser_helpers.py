"""The demo page in one browser tab, as the browser tests drive it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from bot.settings import get_settings

ROOT = get_settings().root
SCREENSHOTS = ROOT / "reports" / "screenshots"
AXE_SCRIPT = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
# A turn goes through NLU, the policies and sometimes the action server.
TURN_TIMEOUT_MS = 30_000
STORAGE_KEY = "clinic-chat-widget"


@dataclass
class Visit:
    """One browser tab on the demo page, with what went wrong in it."""

    page: Page
    stack: Any  # tests/conftest.py's Stack
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def demo_url(self) -> str:
        return f"{self.stack.base_url}/widget/"

    def goto(self) -> "Visit":
        self.page.goto(self.demo_url)
        self.page.locator(".kw-launcher").wait_for(state="visible")
        return self

    def open_widget(self) -> None:
        """Open the panel and wait for the disclaimer and the greeting."""
        self.page.locator(".kw-launcher").click()
        self.wait_for_bot(0)

    def turns(self) -> int:
        return self.page.locator(".kw-log > .kw-turn").count()

    def wait_for_bot(self, turns_before: int) -> None:
        """Wait until new bot messages arrived and the typing indicator is gone."""
        self.page.wait_for_function(
            """n => document.querySelectorAll('.kw-log > .kw-turn').length > n
                   && document.querySelector('.kw-typing').textContent === ''""",
            arg=turns_before, timeout=TURN_TIMEOUT_MS,
        )

    def ask(self, text: str) -> None:
        before = self.turns()
        self.page.locator("#kw-input").fill(text)
        self.page.locator("#kw-input").press("Enter")
        self.wait_for_bot(before)

    def stored(self) -> dict:
        return json.loads(self.page.evaluate(f"sessionStorage.getItem('{STORAGE_KEY}')") or "null")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path))
        return path
