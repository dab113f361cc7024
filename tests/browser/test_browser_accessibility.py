"""Keyboard use, axe-core and the small-screen layout, in a real browser."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_helpers import AXE_SCRIPT, DESKTOP, PHONE, Visit

BLOCKING_IMPACTS = {"serious", "critical"}


def focused(visit: Visit, selector: str) -> bool:
    return bool(visit.page.evaluate(
        "s => document.activeElement !== null && document.activeElement.matches(s)", selector))


def press_until(visit: Visit, key: str, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        if focused(visit, selector):
            return
        visit.page.keyboard.press(key)
    assert focused(visit, selector), f"{key} never reached {selector}"


def test_the_whole_flow_works_by_keyboard_alone(visit: Visit) -> None:
    page = visit.goto().page
    press_until(visit, "Tab", ".kw-launcher")
    page.keyboard.press("Enter")
    visit.wait_for_bot(0)
    assert focused(visit, "#kw-input"), "opening the panel moves focus into it"

    before = visit.turns()
    page.keyboard.type("what are the side effects")
    page.keyboard.press("Enter")
    visit.wait_for_bot(before)
    expect(page.locator(".kw-answer")).to_have_count(1)
    assert focused(visit, "#kw-input"), "focus stays in the input after sending"

    # Back from the input into the answer: a vote, then a related question.
    press_until(visit, "Shift+Tab", ".kw-answer .kw-up")
    page.keyboard.press("Enter")
    expect(page.locator(".kw-feedback-status")).to_have_text("Thanks, your feedback was recorded.")
    assert focused(visit, ".kw-up"), "a vote does not lose keyboard focus"
    press_until(visit, "Tab", ".kw-related .kw-reply")
    before = visit.turns()
    page.keyboard.press("Space")
    visit.wait_for_bot(before)
    expect(page.locator(".kw-answer")).to_have_count(2)
    assert focused(visit, "#kw-input")

    page.keyboard.press("Escape")
    expect(page.locator(".kw-panel")).to_be_hidden()
    assert focused(visit, ".kw-launcher"), "closing returns focus to the launcher"
    expect(page.locator(".kw-launcher")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(page.locator(".kw-answer")).to_have_count(2)  # reopened, history intact
    assert focused(visit, "#kw-input")


@pytest.mark.parametrize("visit", [PHONE, DESKTOP], indirect=True, ids=["360px", "1280px"])
def test_axe_finds_no_serious_violation_with_the_panel_open(visit: Visit) -> None:
    page = visit.page
    # An init script is not subject to the page's CSP, unlike an injected <script>.
    page.add_init_script(path=str(AXE_SCRIPT))
    visit.goto()
    visit.open_widget()
    width = page.viewport_size["width"]
    visit.ask("what are the side effects")
    visit.screenshot(f"widget-{width}.png")
    visit.ask("I want to kill myself")
    visit.screenshot(f"crisis-{width}.png")
    panel = page.locator(".kw-panel").bounding_box()
    if width <= 480:
        assert panel["width"] == width, "the panel fills a phone's screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scrolling"

    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)


@pytest.mark.parametrize("visit", [PHONE], indirect=True, ids=["360px"])
def test_launcher_and_greeting_fit_a_small_phone(visit: Visit) -> None:
    page = visit.goto().page
    visit.screenshot("page-360.png")
    launcher = page.locator(".kw-launcher").bounding_box()
    assert launcher["x"] >= 0 and launcher["x"] + launcher["width"] <= 360
    visit.open_widget()
    expect(page.locator(".kw-close")).to_be_in_viewport()
    expect(page.locator("#kw-input")).to_be_in_viewport()
    visit.screenshot("greeting-360.png")
