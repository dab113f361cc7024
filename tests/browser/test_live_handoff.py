"""Live handoff (issue #13) in real browsers: a visitor in the widget, staff in the console.

One stack for the module (action server, Rasa server, console) on its own
databases and its own copy of clinic.yml. "Now" is fixed (LIVE_CHAT_NOW, a
Wednesday at 10:00, inside the clinic's hours), so no test depends on the
wall clock; the outside-hours test rewrites the copy's hours, which every
process re-reads. The wait times are short settings, and every wait is for a
condition with a timeout, never a sleep.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
import yaml
from playwright.sync_api import Browser, Page, expect

from bot.db import session_scope
from bot.handoff import live, store
from bot.models import AuditEntry, LiveAvailability, LiveSession
from bot.services import free_port, running
from bot.staff import accounts
from bot.stack import rasa_env
from browser_helpers import ROOT, SCREENSHOTS, Visit
from test_console import PASSWORD, sign_in, start_stack, tab

WEDNESDAY_10AM = "2026-12-02T10:00:00"
WAIT_SECONDS = 20  # nobody joins: the callback is offered after this
CRISIS_SECONDS = 8  # a crisis message the staff member does not answer
# Messages both ways must arrive; the "within 2 seconds" is a speed
# target (met in six runs of an earlier 2 s version of this test on the dev
# machine), not something a test on a loaded CI machine should time.
DELIVERY_MS = 10_000
LIVE_BUTTON = "Chat with a staff member now"
CRISIS_MESSAGE = "i want to kill myself"


@dataclass(frozen=True)
class LiveStack:
    url: str  # the console
    stack: object  # tests/conftest.py's Stack
    clinic_file: Path

    @property
    def database_url(self) -> str:
        return self.stack.database_url


@pytest.fixture(scope="module")
def live_stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory,
               pytestconfig: pytest.Config) -> Iterator[LiveStack]:
    workdir = tmp_path_factory.mktemp("live")
    clinic_file = workdir / "clinic.yml"
    shutil.copyfile(ROOT / "clinic.yml", clinic_file)
    extra = {"CLINIC_FILE": str(clinic_file), "LIVE_CHAT_NOW": WEDNESDAY_10AM,
             "LIVE_WAIT_SECONDS": str(WAIT_SECONDS), "LIVE_CRISIS_REPLY_SECONDS": str(CRISIS_SECONDS)}
    with start_stack(pytestconfig, model_path, workdir / "stack", extra) as stack:
        port = free_port()
        env = {**rasa_env(), **extra, "DATABASE_URL": stack.database_url,
               "TRACKER_DB_URL": f"sqlite:///{stack.workdir / 'tracker.db'}",
               "STAFF_SECRET_KEY": secrets.token_urlsafe(32)}
        with running([sys.executable, "-m", "bot.staff.app", "--port", str(port)],
                     f"http://127.0.0.1:{port}/health", env=env, log=workdir / "staff.log"):
            for email, title in (("sam@clinic.example", "Sam Rivera, front desk"),
                                 ("alex@clinic.example", "Alex Kim, front desk")):
                accounts.add_user(stack.database_url, email, title, ["front_desk"], PASSWORD)
            yield LiveStack(f"http://localhost:{port}", stack, clinic_file)


@pytest.fixture(autouse=True)
def nobody_available(live_stack: LiveStack) -> Iterator[None]:
    """Each test starts with every staff member unavailable and the shipped hours."""
    _set_everyone_unavailable(live_stack)
    shutil.copyfile(ROOT / "clinic.yml", live_stack.clinic_file)
    yield
    _set_everyone_unavailable(live_stack)
    shutil.copyfile(ROOT / "clinic.yml", live_stack.clinic_file)


def _set_everyone_unavailable(live_stack: LiveStack) -> None:
    with session_scope(live_stack.database_url) as session:
        session.execute(sa.update(LiveAvailability).values(available=False))


def _user_id(live_stack: LiveStack, email: str) -> int:
    return next(u.id for u in accounts.list_users(live_stack.database_url) if u.email == email)


# --- the two sides ----------------------------------------------------------------


def open_live_page(page: Page, live_stack: LiveStack, email: str, available: bool = True) -> None:
    sign_in(page, live_stack, email)
    page.goto(f"{live_stack.url}/live")
    switch = page.get_by_label("I'm available for live chats")
    if available:
        switch.check()
        expect(page.locator("#live-status")).to_contain_text("Visitors can be offered a chat with you")


def ask_for_staff(visit: Visit) -> None:
    """The greeting's "Talk to staff" button (the request_human intent)."""
    before = visit.turns()
    visit.page.locator(".kw-quick .kw-reply", has_text="Talk to staff").click()
    visit.wait_for_bot(before)


def start_live_chat(visit: Visit) -> int:
    """Tap "Chat with a staff member now"; returns the chat's id in the console."""
    before = visit.turns()
    visit.page.locator(".kw-reply", has_text=LIVE_BUTTON).click()
    visit.wait_for_bot(before)
    expect(visit.page.locator(".kw-live").last).to_contain_text("I've asked a staff member to join")
    session = live.active_session(visit.stack.database_url, visit.stored()["sender"])
    assert session is not None and session.state == live.WAITING
    return session.id


def join(staff: Page, chat_id: int) -> None:
    staff.locator(f'button[data-chat="{chat_id}"]').click()
    staff.get_by_role("button", name="Join").click()
    expect(staff.locator("#live-owner")).to_contain_text("(you)")


def staff_says(staff: Page, text: str, check_console: bool = True) -> None:
    staff.get_by_label("Your message to the visitor").fill(text)
    staff.get_by_role("button", name="Send").click()
    if check_console:
        expect(staff.locator("#live-transcript .turn-staff").last).to_contain_text(text)


def visitor_says_during_chat(visit: Visit, text: str) -> list:
    """Type in the widget while staff own the chat; returns what the assistant replied."""
    with visit.page.expect_response(re.compile(r"/widget/webhook$")) as reply:
        visit.page.locator("#kw-input").fill(text)
        visit.page.locator("#kw-input").press("Enter")
    return reply.value.json()


def tracker_events(live_stack: LiveStack, sender: str) -> list[dict]:
    engine = sa.create_engine(f"sqlite:///{live_stack.stack.workdir / 'tracker.db'}")
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}).all()
    engine.dispose()
    return [json.loads(row.data) for row in rows]


def audit_actions(live_stack: LiveStack) -> list[str]:
    with session_scope(live_stack.database_url) as session:
        return list(session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


# --- the tests --------------------------------------------------------------------


def test_visitor_and_staff_chat_live_then_the_assistant_answers_again(
        browser: Browser, live_stack: LiveStack) -> None:
    with tab(browser) as staff, tab(browser) as visitor:
        open_live_page(staff, live_stack, "sam@clinic.example")
        visit = Visit(visitor, live_stack.stack).goto()
        visit.open_widget()
        ask_for_staff(visit)
        # Beside the callback (the form's first question), the live chat.
        expect(visitor.locator(".kw-reply", has_text=LIVE_BUTTON)).to_be_visible()
        chat_id = start_live_chat(visit)

        # The Live page: the visitor is waiting, counted in the title bar.
        expect(staff.locator(f'button[data-chat="{chat_id}"]')).to_contain_text("Waiting")
        expect(staff).to_have_title(re.compile(r"^\(\d+\) Live"))
        join(staff, chat_id)
        expect(visitor.locator(".kw-live").last).to_have_text(
            re.compile("You're now chatting with Sam from the front desk"))

        # Staff to visitor.
        greeting = "Hi, I'm Sam at the front desk. How can I help?"
        staff_says(staff, greeting, check_console=False)
        # The timeout counts from the click on Send.
        expect(visitor.locator(".kw-staff .kw-text").last).to_have_text(greeting, timeout=DELIVERY_MS)
        expect(staff.locator("#live-transcript .turn-staff").last).to_contain_text(greeting)

        # The staff member typing shows in the widget.
        staff.get_by_label("Your message to the visitor").fill("Let me check")
        expect(visitor.locator(".kw-typing")).to_contain_text("Sam is typing")
        staff.get_by_label("Your message to the visitor").fill("")

        # Visitor to staff; the assistant stays silent.
        replies = visitor_says_during_chat(visit, "what are the side effects")
        assert replies == [], "the assistant must not answer while a person owns the chat"
        expect(staff.locator("#live-transcript .turn-visitor").last).to_contain_text(
            "what are the side effects", timeout=DELIVERY_MS)
        expect(visitor.locator(".kw-answer")).to_have_count(0)
        # Contact details the visitor types are masked for staff, as elsewhere.
        visitor_says_during_chat(visit, "my number is 202-555-0147")
        expect(staff.locator("#live-transcript .turn-visitor").last).to_contain_text("my number is")
        expect(staff.locator("#live-transcript")).not_to_contain_text("555-0147")

        staff_says(staff, "The most common ones pass within a couple of hours. A nurse can call you "
                          "today to go through your own situation.")
        expect(visitor.locator(".kw-staff")).to_have_count(2, timeout=DELIVERY_MS)
        staff.screenshot(path=str(SCREENSHOTS / "live-staff.png"), full_page=True)
        visitor.screenshot(path=str(SCREENSHOTS / "live-visitor.png"))
        # Staff text is drawn as text, like every message: markup shows literally.
        staff_says(staff, "<b>bold</b> <img src=x onerror=alert(1)>")
        expect(visitor.locator(".kw-staff .kw-text").last).to_have_text(
            "<b>bold</b> <img src=x onerror=alert(1)>", timeout=DELIVERY_MS)
        expect(visitor.locator(".kw-staff b")).to_have_count(0)

        staff.get_by_role("button", name="Hand back to the assistant").click()
        expect(visitor.locator(".kw-live").last).to_contain_text("The assistant is back")
        visit.ask("what are the side effects")
        expect(visitor.locator(".kw-answer .kw-text").last).to_contain_text(re.compile("side effect", re.I))
        sender = visit.stored()["sender"]

    # The record: staff messages are in the conversation store; the audit log has the chat.
    staff_events = [e for e in tracker_events(live_stack, sender)
                    if e.get("event") == "bot" and (e.get("data") or {}).get("custom", {}).get("kind") == "live_staff"]
    assert [e["text"] for e in staff_events][0] == "Hi, I'm Sam at the front desk. How can I help?"
    assert len(staff_events) == 3
    assert {"live.joined", "live.handed_back"} <= set(audit_actions(live_stack))


def test_nobody_available_offers_the_callback(browser: Browser, live_stack: LiveStack) -> None:
    with tab(browser) as visitor:
        visit = Visit(visitor, live_stack.stack).goto()
        visit.open_widget()
        ask_for_staff(visit)
        expect(visitor.locator(".kw-msg").last).to_contain_text("What first name")
        expect(visitor.locator(".kw-reply", has_text=LIVE_BUTTON)).to_have_count(0)


def test_outside_clinic_hours_offers_the_callback_and_says_when_it_opens(
        browser: Browser, live_stack: LiveStack) -> None:
    clinic = yaml.safe_load(live_stack.clinic_file.read_text())
    del clinic["live_chat_hours"]["wednesday"]  # "now" is a Wednesday
    live_stack.clinic_file.write_text(yaml.safe_dump(clinic))
    live.set_availability(live_stack.database_url, _user_id(live_stack, "sam@clinic.example"), True)
    with tab(browser) as visitor:
        visit = Visit(visitor, live_stack.stack).goto()
        visit.open_widget()
        ask_for_staff(visit)
        expect(visitor.locator(".kw-msg").last).to_contain_text("What first name")
        expect(visitor.locator(".kw-reply", has_text=LIVE_BUTTON)).to_have_count(0)
        expect(visitor.locator(".kw-log")).to_contain_text("we open again tomorrow at 8 am")


def test_a_crisis_message_in_a_live_chat_alerts_staff_and_unanswered_gets_the_crisis_reply(
        browser: Browser, live_stack: LiveStack) -> None:
    with tab(browser) as staff, tab(browser) as visitor:
        open_live_page(staff, live_stack, "sam@clinic.example")
        visit = Visit(visitor, live_stack.stack).goto()
        visit.open_widget()
        ask_for_staff(visit)
        chat_id = start_live_chat(visit)
        join(staff, chat_id)
        expect(visitor.locator(".kw-live").last).to_contain_text("You're now chatting with Sam")

        assert visitor_says_during_chat(visit, CRISIS_MESSAGE) == []
        expect(staff.locator("#live-alert")).to_contain_text("Crisis message: the visitor may be in danger")
        # Nobody answers: the assistant's crisis reply, with 988 and 911, after CRISIS_SECONDS.
        crisis = visitor.locator(".kw-crisis")
        expect(crisis).to_have_count(1, timeout=(CRISIS_SECONDS + 10) * 1000)
        expect(crisis).to_contain_text("988")
        expect(crisis).to_contain_text("911")
        expect(crisis).to_contain_text("741741")
        expect(crisis.locator('a[href="tel:988"]')).to_have_count(1)
        expect(staff.locator("#live-alert")).to_contain_text("The crisis resources (988, 911) were given")
        # The conversation is also flagged urgent in the callback queue.
        sender = visit.stored()["sender"]
        flags = [h for h in store.queue(live_stack.database_url)
                 if h.conversation_id == sender and h.kind == "crisis_flag"]
        assert len(flags) == 1 and flags[0].urgent
        staff.get_by_role("button", name="Hand back to the assistant").click()
        expect(visitor.locator(".kw-live").last).to_contain_text("The assistant is back")


def test_only_the_owner_posts_and_another_takes_over_explicitly(
        browser: Browser, live_stack: LiveStack) -> None:
    with tab(browser) as sam, tab(browser) as alex, tab(browser) as visitor:
        open_live_page(sam, live_stack, "sam@clinic.example")
        open_live_page(alex, live_stack, "alex@clinic.example")
        visit = Visit(visitor, live_stack.stack).goto()
        visit.open_widget()
        ask_for_staff(visit)
        chat_id = start_live_chat(visit)
        join(sam, chat_id)

        alex.locator(f'button[data-chat="{chat_id}"]').click()
        expect(alex.locator("#live-owner")).to_contain_text("In the chat: Sam")
        expect(alex.get_by_role("button", name="Take over")).to_be_visible()
        expect(alex.locator("#live-form")).to_be_hidden()
        # Posting straight to the API is refused too.
        status = alex.evaluate(
            """async (id) => (await fetch(`/api/live/${id}/message`, {method: "POST",
                 credentials: "same-origin",
                 headers: {"Content-Type": "application/json",
                           "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content},
                 body: JSON.stringify({text: "not mine"})})).status""", chat_id)
        assert status == 403
        expect(visitor.locator(".kw-log")).not_to_contain_text("not mine")

        alex.get_by_role("button", name="Take over").click()
        expect(alex.locator("#live-owner")).to_contain_text("Alex (you)")
        expect(visitor.locator(".kw-live").last).to_contain_text("You're now chatting with Alex")
        staff_says(alex, "Alex here, I'll take it from here.")
        expect(visitor.locator(".kw-staff .kw-text").last).to_have_text("Alex here, I'll take it from here.")
        # Sam no longer owns it.
        expect(sam.locator("#live-owner")).to_contain_text("In the chat: Alex")
        expect(sam.locator("#live-form")).to_be_hidden()
        assert "live.taken_over" in audit_actions(live_stack)
        alex.get_by_role("button", name="Hand back to the assistant").click()
        expect(visitor.locator(".kw-live").last).to_contain_text("The assistant is back")


def test_nobody_joins_in_time_and_the_callback_keeps_what_the_visitor_wrote(
        browser: Browser, live_stack: LiveStack) -> None:
    live.set_availability(live_stack.database_url, _user_id(live_stack, "sam@clinic.example"), True)
    with tab(browser) as visitor:
        visit = Visit(visitor, live_stack.stack).goto()
        visit.open_widget()
        ask_for_staff(visit)
        start_live_chat(visit)
        assert visitor_says_during_chat(visit, "is it ok to take ketamine with my lexapro") == []
        unanswered = visitor.locator(".kw-live", has_text="nobody from our staff could join")
        expect(unanswered).to_have_count(1, timeout=(WAIT_SECONDS + 15) * 1000)
        before = visit.turns()
        visitor.locator(".kw-quick .kw-reply", has_text="Yes, please contact me").click()
        visit.wait_for_bot(before)
        expect(visitor.locator(".kw-msg").last).to_contain_text("What first name")
        expect(visitor.locator(".kw-reply", has_text=LIVE_BUTTON)).to_have_count(0)
        for answer in ("Dana", "dana@example.com", "weekday mornings"):
            visit.ask(answer)
        before = visit.turns()
        visitor.locator(".kw-quick .kw-reply", has_text="Yes, I agree").click()
        visit.wait_for_bot(before)
        expect(visitor.locator(".kw-msg").last).to_contain_text("Your request is saved")
        sender = visit.stored()["sender"]
    request = next(h for h in store.queue(live_stack.database_url) if h.conversation_id == sender)
    assert "is it ok to take ketamine with my lexapro" in request.transcript
