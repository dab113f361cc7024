"""Writing and working the handoff queue.

The write must be durable before the visitor is told "saved": session_scope
commits (SQLite with synchronous=FULL) and only then returns a reference.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select

from bot.db import session_scope
from bot.models import FlagSource, Handoff, utcnow

logger = logging.getLogger(__name__)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on the phone
STATUSES = ("open", "contacted", "closed")


class HandoffNotFound(LookupError):
    pass


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


@dataclass(frozen=True)
class CallbackRequest:
    conversation_id: str
    first_name: str
    contact: str
    contact_kind: str
    preferred_time: str
    consent: bool
    reason: str
    urgent: bool
    transcript: list[dict[str, Any]]


def save_callback(database_url: str, request: CallbackRequest) -> str:
    """Store a callback request; returns its reference once it is committed."""
    if not request.consent:
        raise ValueError("a callback request needs the visitor's consent")
    reference = new_reference()
    with session_scope(database_url) as session:
        session.add(
            Handoff(
                reference=reference,
                kind="callback",
                conversation_id=request.conversation_id,
                urgent=request.urgent,
                reason=request.reason,
                first_name=request.first_name,
                contact=request.contact,
                contact_kind=request.contact_kind,
                preferred_time=request.preferred_time,
                consent=True,
                transcript=json.dumps(request.transcript),
            )
        )
    return reference


@dataclass(frozen=True)
class Flagged:
    """The urgent queue entry a crisis conversation went into; new means: notify staff."""

    reference: str
    new: bool


def flag_crisis(database_url: str, conversation_id: str, transcript: list[dict[str, Any]],
                client_key: str | None = None,
                window: dt.timedelta = dt.timedelta(hours=1)) -> Flagged:
    """Mark a conversation urgent for staff review.

    One open flag per conversation, and one per client per window: sixty
    crisis messages from sixty new conversation ids from one client make one
    urgent entry (with all sixty transcripts) and one webhook call, not sixty.
    A real person who reloads the page and starts again is the same entry too.
    """
    now = utcnow()
    with session_scope(database_url) as session:
        source = session.execute(select(FlagSource).where(
            FlagSource.conversation_id == conversation_id)).scalar_one_or_none()
        if source is not None and _open_flag(session, source.reference) is not None:
            _update_transcript(session, source, transcript)
            return Flagged(source.reference, new=False)
        existing = session.execute(select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.kind == "crisis_flag",
            Handoff.status == "open")).scalar_one_or_none()
        if existing is not None:
            existing.transcript = json.dumps(transcript)
            return Flagged(existing.reference, new=False)
        shared = _recent_flag_of(session, client_key, now - window) if client_key else None
        if source is not None:  # its earlier flag was closed: a new episode
            session.delete(source)
            session.flush()
        if shared is not None:
            session.add(FlagSource(reference=shared.reference, conversation_id=conversation_id,
                                   client_key=client_key, transcript=json.dumps(transcript)))
            return Flagged(shared.reference, new=False)
        reference = new_reference()
        session.add(Handoff(reference=reference, kind="crisis_flag", conversation_id=conversation_id,
                            urgent=True, reason="crisis", transcript=json.dumps(transcript)))
        session.add(FlagSource(reference=reference, conversation_id=conversation_id,
                               client_key=client_key))
    return Flagged(reference, new=True)


def _open_flag(session, reference: str) -> Handoff | None:  # noqa: ANN001
    return session.execute(select(Handoff).where(
        Handoff.reference == reference, Handoff.status == "open")).scalar_one_or_none()


def _update_transcript(session, source: FlagSource, transcript: list[dict[str, Any]]) -> None:  # noqa: ANN001
    if source.transcript is None:  # the flag's own conversation
        _get(session, source.reference).transcript = json.dumps(transcript)
    else:
        source.transcript = json.dumps(transcript)


def _recent_flag_of(session, client_key: str, since: dt.datetime) -> Handoff | None:  # noqa: ANN001
    """The client's open crisis flag started within the window, if any."""
    return session.execute(
        select(Handoff).join(FlagSource, FlagSource.reference == Handoff.reference)
        .where(FlagSource.client_key == client_key, Handoff.kind == "crisis_flag",
               Handoff.status == "open", Handoff.created_at >= since)
        .order_by(Handoff.created_at.desc()).limit(1)
    ).scalars().first()


def folded_conversations(database_url: str, reference: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The other conversations from the same client that share this flag, oldest first."""
    with session_scope(database_url) as session:
        rows = session.execute(select(FlagSource).where(
            FlagSource.reference == reference, FlagSource.transcript.is_not(None))
            .order_by(FlagSource.created_at, FlagSource.id)).scalars().all()
        return [(row.conversation_id, json.loads(row.transcript)) for row in rows]


def mark_notified(database_url: str, reference: str) -> None:
    with session_scope(database_url) as session:
        handoff = _get(session, reference)
        handoff.notified_at = utcnow()


def queue(database_url: str, include_closed: bool = False) -> list[Handoff]:
    """Urgent first, then oldest first: the order staff should work in."""
    with session_scope(database_url) as session:
        query = select(Handoff)
        if not include_closed:
            query = query.where(Handoff.status != "closed")
        query = query.order_by(
            case((Handoff.urgent.is_(True), 0), else_=1), Handoff.created_at, Handoff.id
        )
        return list(session.execute(query).scalars())


def get(database_url: str, reference: str) -> Handoff:
    with session_scope(database_url) as session:
        return _get(session, reference)


def update_status(database_url: str, reference: str, status: str, staff: str, note: str = "") -> Handoff:
    """Set a request's status; closing it also masks contact details in its stored conversation."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with session_scope(database_url) as session:
        handoff = _get(session, reference)
        handoff.status = status
        if note:
            stamp = utcnow().strftime("%Y-%m-%d %H:%M")
            handoff.staff_note = ((handoff.staff_note or "") + f"\n[{stamp} {staff}] {note}").strip()
        if status == "closed":
            handoff.closed_at = utcnow()
            handoff.closed_by = staff
            conversation_ids = _conversations_of(session, handoff)
    if status == "closed":  # after the commit: the close stands even if masking fails
        _mask_conversations(database_url, handoff.reference, conversation_ids, staff)
    return handoff


def _conversations_of(session, handoff: Handoff) -> list[str]:  # noqa: ANN001
    """The request's own conversation and, for a crisis flag, those folded into it."""
    folded = session.execute(select(FlagSource.conversation_id).where(
        FlagSource.reference == handoff.reference)).scalars()
    return [handoff.conversation_id, *folded]


def _mask_conversations(database_url: str, reference: str, conversation_ids: list[str], staff: str) -> None:
    """Once staff are done, phone numbers and emails leave the stored conversation.

    The request keeps its own contact fields until retention deletes it. A
    failure does not undo the close (the person was dealt with): it is
    logged as an error and recorded in the audit log, and the daily
    retention run masks the conversations of closed requests again.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.settings import get_settings
    from bot.staff import audit, conversations  # here: the action server saves requests without them

    try:
        url = conversations.tracker_url(get_settings())
        masked = conversations.mask_conversations(url, conversation_ids)
    except (conversations.ConversationStoreError, SQLAlchemyError) as error:
        problem = (str(error).strip().splitlines() or [type(error).__name__])[0]
        logger.error("Contact details in the conversation of request %s were NOT masked: %s",
                     reference, problem)
        audit.record(database_url, staff, "privacy.mask_failed", reference, {"problem": problem})
        return
    if url:
        audit.record(database_url, staff, "privacy.conversation_masked", reference,
                     {"events": masked, "conversation_store": conversations.describe(url)})


def _get(session, reference: str) -> Handoff:  # noqa: ANN001
    handoff = session.execute(
        select(Handoff).where(Handoff.reference == reference.strip().upper())
    ).scalar_one_or_none()
    if handoff is None:
        raise HandoffNotFound(reference)
    return handoff
