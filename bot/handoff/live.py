"""Live handoff: a visitor chats with a staff member now, in the widget.

This module is the one home of the live chat's rules, and it keeps every
piece of state in the project's database (bot/models.py: LiveSession,
LiveMessage, LiveAvailability), never in a process's memory: the Rasa
replica that receives a visitor's message, the replica that answers the
widget's long poll and the console worker a staff member talks to may all
be different processes. Ownership changes are single UPDATE statements with
the expected state in their WHERE clause, so two staff members clicking
"Join" at once cannot both win.

The Rasa side (bot/web/live.py) and the console (bot/staff/web/live.py) are
thin layers over the functions here. What the visitor reads comes from
messages.yml (utter_live_*), filled like every other message.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import case, select, update

from bot.clinic import fill
from bot.db import session_scope
from bot.dialogue.messages import CRISIS_FOOTER, load_action_messages
from bot.handoff.hours import ClinicHours, describe_opening
from bot.models import LiveAvailability, LiveMessage, LiveSession, utcnow
from bot.privacy import mask_contact_details

WAITING, LIVE, ENDED, UNANSWERED = "waiting", "live", "ended", "unanswered"
ACTIVE = (WAITING, LIVE)
# Who wrote a LiveMessage. Everything but "visitor" is sent to the widget.
VISITOR, STAFF, NOTICE, ASSISTANT = "visitor", "staff", "notice", "assistant"
TO_VISITOR = (STAFF, NOTICE, ASSISTANT)
# custom.kind of the messages the widget draws for a live chat (beside
# answer, crisis, handoff, ... of the assistant's own replies).
KIND_STAFF, KIND_NOTICE = "live_staff", "live"
# The button beside the callback offer; bot/web/channel.py takes it before
# Rasa sees it, so no intent or retraining is involved.
LIVE_PAYLOAD = "/live_chat"
LIVE_BUTTON = {"title": "Chat with a staff member now", "payload": LIVE_PAYLOAD}
# How each role is named to the visitor: "You're now chatting with Sam from the front desk".
ROLE_LABELS = {"front_desk": "the front desk", "admin": "the clinic team"}
MAX_STAFF_MESSAGE = 2000
# Button payloads a visitor may tap during a chat, as staff should read them.
PAYLOAD_WORDS = {"/affirm": "Yes", "/deny": "No", "/request_human": "Ask staff to contact me",
                 "/greet": "(opened the chat)"}


class LiveError(Exception):
    """A staff action that is not allowed now; the message says why."""

    status = 409


class NotOwner(LiveError):
    status = 403


class NoSuchChat(LiveError):
    status = 404


# --- messages ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _notices(path: str) -> dict[str, list[dict[str, Any]]]:
    return load_action_messages(Path(path))


def notice(messages_file: Path, name: str, values: dict[str, str]) -> dict[str, Any]:
    """A utter_live_* message from messages.yml, placeholders filled."""
    variation = json.loads(json.dumps(_notices(str(messages_file))[name][0]))
    variation["text"] = fill(variation["text"], values)
    return {key: variation[key] for key in ("text", "buttons", "custom") if key in variation}


def staff_message(text: str, name: str, role: str, crisis_footer: str = "") -> dict[str, Any]:
    """A staff member's words as the widget draws them: plain text, their name."""
    custom: dict[str, Any] = {"kind": KIND_STAFF, "staff_name": name, "staff_role": role}
    if crisis_footer:
        # A crisis message was waiting for this answer: the resources stay in view.
        custom["crisis_resources"] = crisis_footer
    return {"text": text, "custom": custom}


def first_name(title: str) -> str:
    """'Sam Lee, practice manager' -> 'Sam': how the visitor is told who joined."""
    words = title.replace(",", " ").split()
    return words[0] if words else "A staff member"


def role_label(roles: Iterable[str]) -> str:
    for role in ("front_desk", "admin"):
        if role in roles:
            return ROLE_LABELS[role]
    return "the clinic team"


def visitor_words(text: str) -> str:
    """What a visitor sent, as staff read it: tapped buttons in words, contact details masked."""
    return mask_contact_details(PAYLOAD_WORDS.get(text.strip(), text))


# --- offer -------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """Whether to offer a live chat now; if not, when the clinic opens (may be "")."""

    available: bool
    open_now: bool
    opening: str


def staff_available(database_url: str, seen_seconds: float, now: dt.datetime | None = None) -> int:
    """How many staff members have the switch on and their Live page open."""
    now = now or utcnow()
    since = now - dt.timedelta(seconds=seen_seconds)
    with session_scope(database_url) as session:
        rows = session.execute(select(LiveAvailability.user_id).where(
            LiveAvailability.available.is_(True), LiveAvailability.seen_at >= since)).all()
        return len(rows)


def offer(database_url: str, hours: ClinicHours, fixed_now: str, seen_seconds: float) -> Offer:
    local = hours.local_now(fixed_now)
    if not hours.is_open(local):
        return Offer(False, False, describe_opening(hours.next_opening(local), local))
    available = staff_available(database_url, seen_seconds) > 0
    return Offer(available, True, "")


def unavailable_opening(offer_: Offer) -> str:
    """The sentence utter_live_unavailable and the callback offer add."""
    if offer_.open_now or not offer_.opening:
        return ""
    return f"Staff can chat live during clinic hours; we open again {offer_.opening}. "


# --- visitor side (called by the Rasa server) --------------------------------------


def active_session(database_url: str, conversation_id: str) -> LiveSession | None:
    with session_scope(database_url) as session:
        return session.execute(select(LiveSession).where(
            LiveSession.conversation_id == conversation_id, LiveSession.state.in_(ACTIVE))
            .order_by(LiveSession.id.desc()).limit(1)).scalar_one_or_none()


def latest_session(database_url: str, conversation_id: str) -> LiveSession | None:
    with session_scope(database_url) as session:
        return session.execute(select(LiveSession).where(
            LiveSession.conversation_id == conversation_id)
            .order_by(LiveSession.id.desc()).limit(1)).scalar_one_or_none()


def start(database_url: str, conversation_id: str, *, reason: str, urgent: bool,
          transcript: list[dict[str, Any]], wait_seconds: float,
          waiting_notice: dict[str, Any]) -> tuple[LiveSession, int]:
    """Put the visitor in the Live queue; returns the session and the notice's message id.

    The notice is written to the conversation store by the caller (it is the
    reply to the visitor's tap), so it is stored as already there.
    """
    now = utcnow()
    with session_scope(database_url) as session:
        live = LiveSession(conversation_id=conversation_id, state=WAITING, reason=reason,
                           urgent=urgent, created_at=now,
                           wait_until=now + dt.timedelta(seconds=wait_seconds),
                           transcript=json.dumps(transcript))
        session.add(live)
        session.flush()
        message = LiveMessage(session_id=live.id, conversation_id=conversation_id, at=now,
                              who=NOTICE, message=json.dumps(waiting_notice), in_tracker=True)
        session.add(message)
        session.flush()
        return live, message.id


def add_message(database_url: str, live: LiveSession, who: str, message: dict[str, Any],
                in_tracker: bool = False) -> int:
    with session_scope(database_url) as session:
        row = LiveMessage(session_id=live.id, conversation_id=live.conversation_id, who=who,
                          message=json.dumps(message), in_tracker=in_tracker)
        session.add(row)
        session.flush()
        return row.id


def visitor_wrote(database_url: str, live: LiveSession, text: str, risk: bool,
                  crisis_seconds: float, possible_risk: bool = False) -> None:
    """Keep the visitor's message for staff; a risk message raises the crisis alert.

    With a staff member in the chat, the crisis reply waits crisis_seconds for
    their answer (bot/web/live.py sends it when that time is up); waiting for
    someone to join, the assistant answers a crisis at once (the caller). A
    possible-risk message raises the alert too, without the crisis reply's
    deadline: the assistant's check-in ("are you safe?") goes at once (the
    caller), and the answer to it decides.
    """
    now = utcnow()
    with session_scope(database_url) as session:
        session.add(LiveMessage(session_id=live.id, conversation_id=live.conversation_id,
                                at=now, who=VISITOR, message=json.dumps({"text": text}),
                                in_tracker=True))
        if risk or possible_risk:
            values: dict[str, Any] = {"urgent": True, "crisis_alert_at": now}
            if risk and live.state == LIVE:  # an earlier alert's deadline stands
                values["crisis_due_at"] = live.crisis_due_at or now + dt.timedelta(seconds=crisis_seconds)
            session.execute(update(LiveSession).where(LiveSession.id == live.id).values(**values))


def claim_due_crisis(database_url: str, session_id: int, now: dt.datetime | None = None) -> bool:
    """True for the one caller that must now send the crisis reply (nobody answered)."""
    now = now or utcnow()
    with session_scope(database_url) as session:
        result = session.execute(update(LiveSession).where(
            LiveSession.id == session_id, LiveSession.crisis_due_at.is_not(None),
            LiveSession.crisis_due_at <= now).values(crisis_due_at=None))
        return bool(result.rowcount)


def claim_unanswered(database_url: str, session_id: int, unanswered_notice: dict[str, Any],
                     now: dt.datetime | None = None) -> bool:
    """Nobody joined in time: the session ends unanswered, once, with the callback offer."""
    now = now or utcnow()
    with session_scope(database_url) as session:
        result = session.execute(update(LiveSession).where(
            LiveSession.id == session_id, LiveSession.state == WAITING,
            LiveSession.wait_until <= now).values(state=UNANSWERED, ended_at=now))
        if not result.rowcount:
            return False
        conversation_id = session.get(LiveSession, session_id).conversation_id
        session.add(LiveMessage(session_id=session_id, conversation_id=conversation_id, at=now,
                                who=NOTICE, message=json.dumps(unanswered_notice)))
        return True


@dataclass
class VisitorView:
    """What the widget's long poll returns."""

    state: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    typing: bool = False
    session_id: int | None = None
    crisis_due: bool = False
    waiting_expired: bool = False


def visitor_view(database_url: str, conversation_id: str, after: int,
                 now: dt.datetime | None = None) -> VisitorView:
    now = now or utcnow()
    with session_scope(database_url) as session:
        live = session.execute(select(LiveSession).where(
            LiveSession.conversation_id == conversation_id)
            .order_by(LiveSession.id.desc()).limit(1)).scalar_one_or_none()
        if live is None:
            return VisitorView("none")
        rows = session.execute(select(LiveMessage).where(
            LiveMessage.conversation_id == conversation_id, LiveMessage.id > after,
            LiveMessage.who.in_(TO_VISITOR)).order_by(LiveMessage.id)).scalars().all()
        typing = bool(live.state == LIVE and live.staff_typing_at
                      and now - live.staff_typing_at < dt.timedelta(seconds=4))
        messages = []
        for row in rows:
            message = json.loads(row.message)
            message.setdefault("custom", {})["live_id"] = row.id
            messages.append(message)
        return VisitorView(live.state, messages, typing, live.id,
                           crisis_due=bool(live.crisis_due_at and live.crisis_due_at <= now),
                           waiting_expired=live.state == WAITING and live.wait_until <= now)


def claim_for_tracker(database_url: str, conversation_id: str) -> list[tuple[dt.datetime, dict[str, Any]]]:
    """Messages to the visitor not yet in the conversation store, claimed by this caller.

    Each row is claimed with its own UPDATE ... WHERE in_tracker = false, so
    when two replicas poll at once every message is written exactly once.
    """
    claimed = []
    with session_scope(database_url) as session:
        rows = session.execute(select(LiveMessage.id, LiveMessage.at, LiveMessage.message).where(
            LiveMessage.conversation_id == conversation_id, LiveMessage.in_tracker.is_(False),
            LiveMessage.who.in_(TO_VISITOR)).order_by(LiveMessage.id)).all()
        for row in rows:
            result = session.execute(update(LiveMessage).where(
                LiveMessage.id == row.id, LiveMessage.in_tracker.is_(False)).values(in_tracker=True))
            if result.rowcount:
                claimed.append((row.at, json.loads(row.message)))
    return claimed


# --- staff side (called by the console) --------------------------------------------


def set_availability(database_url: str, user_id: int, available: bool) -> None:
    with session_scope(database_url) as session:
        row = session.get(LiveAvailability, user_id)
        if row is None:
            session.add(LiveAvailability(user_id=user_id, available=available, seen_at=utcnow()))
        else:
            row.available = available
            row.seen_at = utcnow()


def seen(database_url: str, user_id: int) -> bool:
    """The Live page checked in; returns whether this member is available."""
    with session_scope(database_url) as session:
        row = session.get(LiveAvailability, user_id)
        if row is None:
            return False
        row.seen_at = utcnow()
        return bool(row.available)


def board(database_url: str) -> list[LiveSession]:
    """Waiting chats (urgent first, then oldest), then chats staff are in."""
    with session_scope(database_url) as session:
        return list(session.execute(select(LiveSession).where(LiveSession.state.in_(ACTIVE))
                                    .order_by(case((LiveSession.state == WAITING, 0), else_=1),
                                              case((LiveSession.urgent.is_(True), 0), else_=1),
                                              LiveSession.created_at, LiveSession.id)).scalars())


def get(database_url: str, session_id: int) -> LiveSession:
    with session_scope(database_url) as session:
        live = session.get(LiveSession, session_id)
        if live is None:
            raise NoSuchChat("There is no such chat.")
        return live


def messages_of(database_url: str, session_id: int, after: int = 0) -> list[LiveMessage]:
    with session_scope(database_url) as session:
        return list(session.execute(select(LiveMessage).where(
            LiveMessage.session_id == session_id, LiveMessage.id > after)
            .order_by(LiveMessage.id)).scalars())


@dataclass(frozen=True)
class StaffMember:
    """Who acts in the console, as this module needs them."""

    user_id: int
    name: str  # first name, shown to the visitor
    role: str  # "the front desk"


def join(database_url: str, session_id: int, who: StaffMember, joined_notice: dict[str, Any],
         take_over: bool = False) -> str:
    """Take a waiting chat, or with take_over a chat someone else is in.

    Returns the previous owner's name on a take-over ("" otherwise). The
    UPDATE names the state it expects, so of two people clicking Join at once
    exactly one gets the chat; the other is told who has it.
    """
    now = utcnow()
    with session_scope(database_url) as session:
        live = session.get(LiveSession, session_id)
        if live is None:
            raise NoSuchChat("There is no such chat.")
        previous = live.owner_name or ""
        if take_over:
            if live.state != LIVE:
                raise LiveError("This chat is not in progress.")
            if live.owner_id == who.user_id:
                raise LiveError("You are already in this chat.")
            condition = (LiveSession.state == LIVE) & (LiveSession.owner_id == live.owner_id)
        else:
            if live.state == LIVE:
                raise LiveError(f"{live.owner_name} is already in this chat. Use Take over to take it.")
            if live.state != WAITING:
                raise LiveError("This visitor is no longer waiting.")
            condition = LiveSession.state == WAITING
        result = session.execute(update(LiveSession).where(LiveSession.id == session_id, condition)
                                 .values(state=LIVE, owner_id=who.user_id, owner_name=who.name,
                                         owner_role=who.role, joined_at=now))
        if not result.rowcount:
            raise LiveError("Someone else changed this chat just now. Look again.")
        session.add(LiveMessage(session_id=session_id, conversation_id=live.conversation_id,
                                at=now, who=NOTICE, message=json.dumps(joined_notice)))
        return previous if take_over else ""


def _owned(session, session_id: int, who: StaffMember) -> LiveSession:  # noqa: ANN001
    live = session.get(LiveSession, session_id)
    if live is None:
        raise NoSuchChat("There is no such chat.")
    if live.state != LIVE:
        raise LiveError("This chat is not in progress.")
    if live.owner_id != who.user_id:
        raise NotOwner(f"{live.owner_name} owns this chat. Take it over first to write in it.")
    return live


def post(database_url: str, session_id: int, who: StaffMember, text: str, language: str = "en") -> int:
    """A staff message to the visitor; only the owner may write.

    If a crisis message is waiting for this answer, the answer clears the
    timer and carries the crisis resources (988, 911) under it.
    """
    text = text.strip()[:MAX_STAFF_MESSAGE]
    if not text:
        raise LiveError("Type a message first.")
    with session_scope(database_url) as session:
        live = _owned(session, session_id, who)
        footer = ""
        if live.crisis_due_at is not None:
            footer = CRISIS_FOOTER.get(language, CRISIS_FOOTER["en"])
            live.crisis_due_at = None
        live.staff_typing_at = None
        row = LiveMessage(session_id=session_id, conversation_id=live.conversation_id,
                          who=STAFF, message=json.dumps(staff_message(text, who.name, who.role, footer)))
        session.add(row)
        session.flush()
        return row.id


def typing(database_url: str, session_id: int, who: StaffMember) -> None:
    with session_scope(database_url) as session:
        _owned(session, session_id, who).staff_typing_at = utcnow()


def hand_back(database_url: str, session_id: int, who: StaffMember, back_notice: dict[str, Any]) -> None:
    """The owner ends the chat; the assistant answers again from the next message.

    A crisis reply still due is not cancelled by this: it is sent at once.
    """
    now = utcnow()
    with session_scope(database_url) as session:
        live = _owned(session, session_id, who)
        live.state = ENDED
        live.ended_at = now
        live.staff_typing_at = None
        if live.crisis_due_at is not None:
            live.crisis_due_at = now
        session.add(LiveMessage(session_id=session_id, conversation_id=live.conversation_id,
                                at=now, who=NOTICE, message=json.dumps(back_notice)))


def purge_before(database_url: str, cutoff: dt.datetime) -> int:
    """Live chats go with their conversations, under RETENTION_DAYS."""
    from sqlalchemy import delete

    with session_scope(database_url) as session:
        old = select(LiveSession.id).where(LiveSession.created_at < cutoff,
                                           LiveSession.state.not_in(ACTIVE))
        ids = [row.id for row in session.execute(old)]
        if not ids:
            return 0
        session.execute(delete(LiveMessage).where(LiveMessage.session_id.in_(ids)))
        session.execute(delete(LiveSession).where(LiveSession.id.in_(ids)))
        return len(ids)
