"""The live handoff's rules on a real SQLite database (bot/handoff/live.py, bot/handoff/hours.py).

The browser tests (tests/browser/test_live_handoff.py) show the whole
thing; these pin down the rules that must hold whichever process calls them:
one owner, explicit take-over, once-only claims, the crisis timer.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.handoff import live
from bot.handoff.hours import describe_opening, parse_hours
from bot.models import utcnow
from bot.settings import get_settings

MESSAGES = get_settings().root / "messages.yml"
SAM = live.StaffMember(1, "Sam", "the front desk")
ALEX = live.StaffMember(2, "Alex", "the front desk")
NOTICE = {"text": "notice", "custom": {"kind": "live"}}


@pytest.fixture()
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'clinic.db'}"


def waiting(db: str, conversation: str = "visitor-00000001", wait: float = 120.0) -> int:
    session, _ = live.start(db, conversation, reason="request_human", urgent=False, transcript=[],
                            wait_seconds=wait, waiting_notice=NOTICE)
    return session.id


def test_hours_open_closed_and_next_opening() -> None:
    hours = parse_hours({"live_chat_hours": {"monday": "08:00-17:00", "wednesday": "09:30-12:00",
                                             "friday": "not a time"}})
    wednesday = dt.datetime(2026, 12, 2, 10, 0)
    assert hours.is_open(wednesday)
    assert not hours.is_open(wednesday.replace(hour=12))
    after = wednesday.replace(hour=13)
    # Thursday and Friday (unreadable) are closed: next Monday.
    assert describe_opening(hours.next_opening(after), after) == "Monday at 8 am"
    early = wednesday.replace(hour=7)
    assert describe_opening(hours.next_opening(early), early) == "today at 9:30 am"
    assert hours.local_now("2026-12-02T10:00:00") == wednesday


def test_the_notices_name_the_staff_member() -> None:
    joined = live.notice(MESSAGES, "utter_live_joined", {"staff_name": "Sam", "staff_role": "the front desk"})
    assert joined["text"] == "You're now chatting with Sam from the front desk."
    assert joined["custom"] == {"kind": "live", "live": "joined"}
    assert live.first_name("Sam Lee, practice manager") == "Sam"
    assert live.role_label({"front_desk"}) == "the front desk"


def test_one_owner_and_an_explicit_take_over(db: str) -> None:
    chat = waiting(db)
    assert live.join(db, chat, SAM, NOTICE) == ""
    with pytest.raises(live.LiveError, match="Sam is already in this chat"):
        live.join(db, chat, ALEX, NOTICE)
    with pytest.raises(live.NotOwner):
        live.post(db, chat, ALEX, "not mine")
    with pytest.raises(live.NotOwner):
        live.hand_back(db, chat, ALEX, NOTICE)
    assert live.join(db, chat, ALEX, NOTICE, take_over=True) == "Sam"
    with pytest.raises(live.NotOwner):
        live.post(db, chat, SAM, "no longer mine")
    live.post(db, chat, ALEX, "hello")
    live.hand_back(db, chat, ALEX, NOTICE)
    assert live.get(db, chat).state == live.ENDED
    with pytest.raises(live.LiveError):
        live.post(db, chat, ALEX, "after the end")


def test_nobody_joins_the_session_ends_unanswered_once(db: str) -> None:
    chat = waiting(db, wait=0)
    later = utcnow() + dt.timedelta(seconds=1)
    assert live.claim_unanswered(db, chat, NOTICE, later)
    assert not live.claim_unanswered(db, chat, NOTICE, later)  # a second replica
    assert live.get(db, chat).state == live.UNANSWERED
    with pytest.raises(live.LiveError, match="no longer waiting"):
        live.join(db, chat, SAM, NOTICE)


def test_a_crisis_message_waits_for_the_owner_then_is_claimed_once(db: str) -> None:
    chat = waiting(db)
    live.join(db, chat, SAM, NOTICE)
    live.visitor_wrote(db, live.get(db, chat), "i want to die", risk=True, crisis_seconds=30)
    session = live.get(db, chat)
    assert session.urgent and session.crisis_due_at is not None
    assert not live.claim_due_crisis(db, chat)  # not due yet
    due = session.crisis_due_at + dt.timedelta(seconds=1)
    assert live.claim_due_crisis(db, chat, due)
    assert not live.claim_due_crisis(db, chat, due)


def test_by_default_a_crisis_message_in_a_live_chat_is_due_at_once(db: str) -> None:
    """The crisis reply is never withheld by a live handoff: the default wait is 0."""
    assert get_settings().live_crisis_reply_seconds == 0
    chat = waiting(db)
    live.join(db, chat, SAM, NOTICE)
    live.visitor_wrote(db, live.get(db, chat), "i want to die", risk=True,
                       crisis_seconds=get_settings().live_crisis_reply_seconds)
    assert live.claim_due_crisis(db, chat)  # due now, not after a wait
    assert not live.claim_due_crisis(db, chat)


def test_a_possible_risk_message_alerts_staff_without_a_crisis_deadline(db: str) -> None:
    """The assistant's check-in goes at once (bot/web/live.py); staff are alerted."""
    chat = waiting(db)
    live.join(db, chat, SAM, NOTICE)
    live.visitor_wrote(db, live.get(db, chat), "my deadline is literally going to kill me", risk=False,
                       crisis_seconds=0, possible_risk=True)
    session = live.get(db, chat)
    assert session.urgent and session.crisis_alert_at is not None
    assert session.crisis_due_at is None and not live.claim_due_crisis(db, chat)


def test_the_owners_answer_in_time_carries_the_crisis_resources(db: str) -> None:
    chat = waiting(db)
    live.join(db, chat, SAM, NOTICE)
    live.visitor_wrote(db, live.get(db, chat), "i want to die", risk=True, crisis_seconds=30)
    live.post(db, chat, SAM, "I'm here. Are you safe right now?")
    assert live.get(db, chat).crisis_due_at is None
    view = live.visitor_view(db, "visitor-00000001", 0)
    staff = [m for m in view.messages if m["custom"].get("kind") == live.KIND_STAFF]
    assert "988" in staff[-1]["custom"]["crisis_resources"]


def test_messages_reach_the_conversation_store_once(db: str) -> None:
    chat = waiting(db)
    live.join(db, chat, SAM, NOTICE)
    live.post(db, chat, SAM, "hello")
    first = live.claim_for_tracker(db, "visitor-00000001")
    assert [m["text"] for _, m in first] == ["notice", "hello"]  # the waiting notice was already there
    assert live.claim_for_tracker(db, "visitor-00000001") == []


def test_visitor_words_are_masked_for_staff() -> None:
    assert "555-0147" not in live.visitor_words("call me on 202-555-0147")
    assert live.visitor_words("/affirm") == "Yes"


def test_purge_keeps_open_chats(db: str) -> None:
    old, open_ = waiting(db, "visitor-00000001"), waiting(db, "visitor-00000002")
    live.join(db, old, SAM, NOTICE)
    live.hand_back(db, old, SAM, NOTICE)
    assert live.purge_before(db, utcnow() + dt.timedelta(days=1)) == 1
    assert live.get(db, open_).state == live.WAITING
    with pytest.raises(live.NoSuchChat):
        live.get(db, old)


def test_staff_messages_are_staff_turns_in_the_transcript() -> None:
    from bot.handoff.transcript import transcript_from_events

    events = [{"event": "user", "text": "can i talk to someone", "timestamp": 1.0},
              {"event": "bot", "text": "Hello, Sam here.", "timestamp": 2.0,
               "data": {"custom": live.staff_message("Hello, Sam here.", "Sam", "the front desk")["custom"]}},
              {"event": "bot", "text": "The assistant is back.", "timestamp": 3.0,
               "data": {"custom": {"kind": "live"}}}]
    turns = transcript_from_events(events)
    assert [t["who"] for t in turns] == ["visitor", "staff", "assistant"]
    assert turns[1]["name"] == "Sam"
