"""What a visitor sees in the widget, in a real browser against the real stack."""
from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from browser_helpers import Visit

XSS = "<img src=x onerror=alert(1)>"


def test_demo_page_greets_with_the_disclaimer_and_topics(visit: Visit) -> None:
    page = visit.goto().page
    expect(page.locator("h1")).to_be_visible()
    assert page.locator(".kw-panel").is_hidden()
    visit.open_widget()
    expect(page.locator(".kw-launcher")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".kw-disclaimer")).to_contain_text("not a clinician")
    quick = page.locator(".kw-quick .kw-reply")
    expect(quick.filter(has_text="Talk to staff")).to_have_count(1)
    assert quick.count() >= 3, "the greeting offers the topics"


def test_a_question_gets_the_curated_answer_with_its_source_link(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    visit.ask("what are the side effects")
    answer = page.locator(".kw-answer").last
    expect(answer.locator(".kw-text")).to_contain_text(re.compile("side effect", re.I))
    # The source is a link under the answer, not a "Source:" line in its text.
    expect(answer.locator(".kw-text")).not_to_contain_text("Source:")
    source = answer.locator(".kw-sources a").first
    expect(source).to_have_attribute("href", re.compile(r"^https?://"))
    expect(source).to_have_attribute("rel", "noopener noreferrer")
    expect(source).to_have_attribute("target", "_blank")
    expect(page.locator(".kw-visitor").last).to_have_text(re.compile("what are the side effects"))


def test_quick_replies_send_their_question(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    topic = page.locator(".kw-quick .kw-reply").first
    title = topic.inner_text()
    before = visit.turns()
    topic.click()
    visit.wait_for_bot(before)
    expect(page.locator(".kw-visitor").last).to_contain_text(title)
    expect(page.locator(".kw-answer")).to_have_count(1)
    expect(page.locator(".kw-quick")).to_have_count(0)  # the greeting's buttons are spent
    # Related questions under the answer are quick replies too.
    related = page.locator(".kw-answer .kw-related .kw-reply").first
    question = related.inner_text()
    before = visit.turns()
    related.click()
    visit.wait_for_bot(before)
    expect(page.locator(".kw-visitor").last).to_contain_text(question)
    expect(page.locator(".kw-answer")).to_have_count(2)


def test_the_conversation_survives_a_reload_in_the_same_tab(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    visit.ask("how much does it cost")
    messages = page.locator(".kw-msg").all_inner_texts()
    sender = visit.stored()["sender"]
    page.reload()
    expect(page.locator(".kw-panel")).to_be_visible()
    expect(page.locator(".kw-msg")).to_have_count(len(messages))
    assert page.locator(".kw-msg").all_inner_texts() == messages
    assert visit.stored()["sender"] == sender
    assert page.evaluate("localStorage.length") == 0, "nothing is kept beyond the tab"
    visit.ask("is it safe")  # the same conversation goes on
    assert visit.stored()["sender"] == sender


def test_start_over_begins_a_new_conversation(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    visit.ask("how much does it cost")
    old_sender = visit.stored()["sender"]
    page.locator(".kw-restart").click()
    visit.wait_for_bot(0)
    expect(page.locator(".kw-visitor")).to_have_count(0)
    expect(page.locator(".kw-disclaimer")).to_have_count(1)
    expect(page.locator(".kw-quick .kw-reply").first).to_be_visible()
    assert visit.stored()["sender"] != old_sender


def test_html_in_a_message_is_shown_as_text(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    visit.ask(XSS)
    expect(page.locator(".kw-visitor").last).to_have_text(f"You: {XSS}")
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    assert visit.dialogs == []


def test_a_crisis_message_shows_the_crisis_panel(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    visit.ask("I want to kill myself")
    crisis = page.locator(".kw-crisis[role='alert']").last
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("988")
    for href in ("tel:988", "tel:911", "sms:988"):
        expect(crisis.locator(f"a[href='{href}']")).to_have_count(1)
    expect(crisis.locator("a[href^='sms:741741']")).to_have_count(1)


def test_an_unreachable_server_shows_the_clinic_phone_and_keeps_the_text(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    question = "how long does a session take"
    page.route("**/widget/webhook", lambda route: route.abort("connectionrefused"))
    page.locator("#kw-input").fill(question)
    page.locator("#kw-input").press("Enter")
    error = page.locator(".kw-error[role='alert']")
    # The widget retries a few seconds before it gives up (web/src/api.js).
    expect(error).to_contain_text("can't reach the assistant", timeout=20_000)
    expect(error.locator("a[href^='tel:']").first).to_have_text("(555) 555-0134")
    # Someone in crisis still reads where to get help.
    for href in ("tel:911", "tel:988"):
        expect(error.locator(f"a[href='{href}']")).to_have_count(1)
    expect(page.locator("#kw-input")).to_have_value(question)
    expect(page.locator(".kw-visitor")).to_have_count(0)
    # Once the server is back, the same text goes through and the error clears.
    page.unroute("**/widget/webhook")
    before = visit.turns()
    page.locator("#kw-input").press("Enter")
    visit.wait_for_bot(before)
    expect(error).to_be_empty()
    expect(page.locator(".kw-visitor")).to_have_text([f"You: {question}"])


def test_a_turn_the_proxy_could_not_deliver_is_retried_with_the_same_message_id(visit: Visit) -> None:
    """A replica dying mid-turn looks like a 502 from nginx: the widget sends the
    turn again, marked as a retry, with the same id (bot/web/dedup.py)."""
    page = visit.goto().page
    visit.open_widget()
    sent: list[dict] = []

    def first_fails(route) -> None:  # noqa: ANN001
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fulfill(status=502, content_type="text/html", body="<html>Bad Gateway</html>")
        else:
            route.continue_()

    page.route("**/widget/webhook", first_fails)
    visit.ask("what are the side effects")
    page.unroute("**/widget/webhook")
    assert [body["retry"] for body in sent] == [False, True]
    assert sent[0]["message_id"] == sent[1]["message_id"]
    expect(page.locator(".kw-answer")).to_have_count(1)
    expect(page.locator(".kw-error")).to_be_empty()


def test_a_server_refusal_shows_its_reason_and_keeps_the_text(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    too_long = "a" * 10_001
    page.locator("#kw-input").fill(too_long)
    page.locator("#kw-input").press("Enter")
    error = page.locator(".kw-error")
    expect(error).to_contain_text("Your message is too long")
    expect(error.locator("a[href^='tel:']").filter(has_text="(555) 555-0134")).to_have_count(1)
    expect(error.locator("a[href='tel:988']")).to_have_count(1)
    expect(page.locator("#kw-input")).to_have_value(too_long)


def test_thumbs_up_is_recorded_for_staff(visit: Visit) -> None:
    page = visit.goto().page
    visit.open_widget()
    visit.ask("what are the side effects")
    answer = page.locator(".kw-answer").last
    up = answer.locator(".kw-up")
    up.click()
    expect(answer.locator(".kw-feedback-status")).to_have_text("Thanks, your feedback was recorded.")
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(answer.locator(".kw-down")).to_have_attribute("aria-disabled", "true")
    answer.locator(".kw-down").click(force=True)  # a second vote is ignored
    sender = visit.stored()["sender"]
    engine = sa.create_engine(visit.stack.database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT answer_id, helpful FROM feedback WHERE conversation_id = :sender"),
            {"sender": sender},
        ).fetchall()
    engine.dispose()
    assert len(rows) == 1
    assert rows[0][0] and bool(rows[0][1]) is True
    # The vote is remembered across a reload.
    page.reload()
    expect(page.locator(".kw-answer .kw-up").last).to_have_attribute("aria-disabled", "true")
