"""A live chat across two Rasa replicas (issue #13, item 6).

Two Rasa servers share the conversation store and the clinic database, as
replicas behind a load balancer do. Every step of the chat goes to the
other replica from the step before: the visitor asks on one, taps "Chat
with a staff member now" on the other, polls for the staff member's words
on the first, writes on the second, and so on. Nothing of the chat lives in
one process's memory (bot/handoff/live.py), so each replica sees it all.
The browser tests (tests/browser/test_live_handoff.py) show both screens on
one replica.
"""
from __future__ import annotations

import contextlib
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from bot.handoff import live
from bot.services import free_port, running
from bot.settings import get_settings
from bot.staff import accounts
from bot.stack import rasa_env, rasa_server_command
from tests.conftest import Stack, start_stack
from tests.integration.helpers import answers, kinds, new_sender, post, say

WEDNESDAY_10AM = "2026-12-02T10:00:00"  # inside the shipped clinic hours
NOTICE = {"text": "notice", "custom": {"kind": "live"}}


@pytest.fixture(scope="module")
def replicas(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Stack]]:
    workdir = tmp_path_factory.mktemp("replicas")
    clinic_file = workdir / "clinic.yml"
    shutil.copyfile(get_settings().root / "clinic.yml", clinic_file)
    extra = {"CLINIC_FILE": str(clinic_file), "LIVE_CHAT_NOW": WEDNESDAY_10AM}
    with start_stack(model_path, workdir / "a", extra) as first:
        env = {**rasa_env(), "DATABASE_URL": first.database_url, "RATE_LIMITS": "off", **extra}
        port = free_port()
        # The same endpoints.yml: the same conversation store and action server.
        with running(rasa_server_command(model_path, port, first.workdir / "endpoints.yml"),
                     f"http://127.0.0.1:{port}/widget/health", env=env, log=workdir / "rasa-b.log"):
            yield first, replace(first, base_url=f"http://127.0.0.1:{port}", processes=())


def poll(replica: Stack, sender: str, after: int = 0) -> dict:
    status, result = post(f"{replica.base_url}/widget/live", {"sender": sender, "after": after})
    assert status == 200, result
    return result


def texts(messages: list[dict]) -> list[str]:
    return [m.get("text", "") for m in messages]


@contextlib.contextmanager
def available_staff(db: str, first_name: str, full_name: str) -> Iterator[live.StaffMember]:
    """A front-desk account, available for live chat for the length of the block."""
    user_id = accounts.add_user(db, f"{first_name.lower()}-{new_sender()}@clinic.example",
                                full_name, ["front_desk"]).id
    live.set_availability(db, user_id, True)
    try:
        yield live.StaffMember(user_id, first_name, "the front desk")
    finally:
        live.set_availability(db, user_id, False)


def test_a_live_chat_moves_between_replicas_without_losing_anything(replicas) -> None:
    a, b = replicas
    db = a.database_url
    sender = new_sender()
    with available_staff(db, "Sam", "Sam Rivera, front desk") as sam:
        offered = say(a, sender, "/request_human")
        assert any(button.get("payload") == live.LIVE_PAYLOAD
                   for reply in offered for button in reply.get("buttons") or [])

        waiting = say(b, sender, live.LIVE_PAYLOAD)
        assert (waiting[0]["custom"] or {}).get("live") == "waiting"
        chat = next(s for s in live.board(db) if s.conversation_id == sender)

        live.join(db, chat.id, sam, live.notice(get_settings().root / "messages.yml", "utter_live_joined",
                                                {"staff_name": "Sam", "staff_role": "the front desk"}))
        live.post(db, chat.id, sam, "Hi, I'm Sam. How can I help?")
        seen_on_a = poll(a, sender, waiting[0]["custom"]["live_id"])
        assert seen_on_a["state"] == live.LIVE
        assert "Hi, I'm Sam. How can I help?" in texts(seen_on_a["messages"])
        assert any("You're now chatting with Sam" in t for t in texts(seen_on_a["messages"]))

        # The visitor writes to the other replica: the assistant stays silent
        # and the staff member reads it.
        assert say(b, sender, "what are the side effects") == []
        visitor_words = [m.message for m in live.messages_of(db, chat.id) if m.who == live.VISITOR]
        assert any("what are the side effects" in words for words in visitor_words)

        live.hand_back(db, chat.id, sam, live.notice(get_settings().root / "messages.yml",
                                                     "utter_live_back", {"clinic_phone": "555-0100"}))
        ended = poll(b, sender, max(m.id for m in live.messages_of(db, chat.id)) - 1)
        assert ended["state"] == live.ENDED

        # The assistant answers again, on either replica, in the same conversation.
        assert answers(say(a, sender, "what are the side effects"))
        assert "crisis" not in kinds(say(b, sender, "how much does it cost"))


def test_a_crisis_message_during_a_live_chat_gets_the_crisis_reply_from_either_replica(replicas) -> None:
    a, b = replicas
    db = a.database_url
    sender = new_sender()
    with available_staff(db, "Alex", "Alex Kim, front desk") as alex:
        say(a, sender, "/request_human")
        waiting = say(a, sender, live.LIVE_PAYLOAD)
        chat = next(s for s in live.board(db) if s.conversation_id == sender)
        live.join(db, chat.id, alex, NOTICE)
        say(b, sender, "i want to kill myself")
        # By default the crisis reply is due at once; the next poll, on the
        # other replica, delivers it.
        result = poll(a, sender, waiting[0]["custom"]["live_id"])
        crisis = [m for m in result["messages"] if (m.get("custom") or {}).get("kind") == "crisis"]
        assert crisis and "988" in crisis[0]["text"] and "911" in crisis[0]["text"]
        assert live.get(db, chat.id).urgent


def test_a_possible_risk_message_during_a_live_chat_gets_the_check_in_at_once(replicas) -> None:
    """Not silence: the assistant asks "are you safe?" with 911 and 988, and
    the staff member in the chat is alerted (independent review, twelfth round)."""
    a, b = replicas
    db = a.database_url
    sender = new_sender()
    with available_staff(db, "Robin", "Robin Diaz, front desk") as robin:
        say(a, sender, "/request_human")
        say(a, sender, live.LIVE_PAYLOAD)
        chat = next(s for s in live.board(db) if s.conversation_id == sender)
        live.join(db, chat.id, robin, NOTICE)
        replies = say(b, sender, "the nurse said something about overdoses and now im worried")
        check_in = [r for r in replies if (r.get("custom") or {}).get("variant") == "possible_crisis"]
        assert check_in and "988" in check_in[0]["text"] and "911" in check_in[0]["text"]
        session = live.get(db, chat.id)
        assert session.urgent and session.crisis_alert_at is not None
        assert session.crisis_due_at is None
        assert any("overdoses" in m.message for m in live.messages_of(db, chat.id))


def _turn(replica: Stack, sender: str, message: str, message_id: str, retry: bool) -> list[dict]:
    status, replies = post(replica.webhook, {"sender": sender, "message": message,
                                             "message_id": message_id, "retry": retry})
    assert status == 200, replies
    return replies


def test_a_retried_message_during_a_live_chat_reaches_staff_once_and_a_retried_crisis_reply_comes_again(
        replicas) -> None:
    """The widget retries a turn whose answer it never got (a replica died):
    on the other replica a message kept for staff is not kept twice, and a
    crisis message while waiting for staff gets the crisis reply again."""
    a, b = replicas
    db = a.database_url
    with available_staff(db, "Kim", "Kim Lee, front desk") as kim:
        waiting_sender = new_sender()
        say(a, waiting_sender, "/request_human")
        say(a, waiting_sender, live.LIVE_PAYLOAD)
        crisis_id = f"m-{new_sender()}"
        first = _turn(a, waiting_sender, "i want to kill myself", crisis_id, retry=False)
        assert "crisis" in kinds(first)
        again = _turn(b, waiting_sender, "i want to kill myself", crisis_id, retry=True)
        assert "crisis" in kinds(again)
        assert again == first

        sender = new_sender()
        say(a, sender, "/request_human")
        say(a, sender, live.LIVE_PAYLOAD)
        chat = next(s for s in live.board(db) if s.conversation_id == sender)
        live.join(db, chat.id, kim, NOTICE)
        message_id = f"m-{new_sender()}"
        assert _turn(a, sender, "is my appointment on friday", message_id, retry=False) == []
        assert _turn(b, sender, "is my appointment on friday", message_id, retry=True) == []
        kept = [m.message for m in live.messages_of(db, chat.id) if m.who == live.VISITOR]
        assert sum("friday" in words for words in kept) == 1, kept
        # A retry of a message never kept is kept.
        other_id = f"m-{new_sender()}"
        assert _turn(b, sender, "thank you", other_id, retry=True) == []
        kept = [m.message for m in live.messages_of(db, chat.id) if m.who == live.VISITOR]
        assert sum("thank you" in words for words in kept) == 1, kept
