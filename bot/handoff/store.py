"""Writing and working the handoff queue.

The write must be durable before the visitor is told "saved": session_scope
commits (SQLite with synchronous=FULL) and only then returns a reference.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select

from bot.db import session_scope
from bot.models import Handoff, utcnow

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


def flag_crisis(database_url: str, conversation_id: str, transcript: list[dict[str, Any]]) -> str:
    """Mark a conversation urgent for staff review; one open flag per conversation."""
    with session_scope(database_url) as session:
        existing = session.execute(
            select(Handoff).where(
                Handoff.conversation_id == conversation_id,
                Handoff.kind == "crisis_flag",
                Handoff.status == "open",
            )
        ).scalar_one_or_none()
        if existing is not None:
            existing.transcript = json.dumps(transcript)
            return existing.reference
        reference = new_reference()
        session.add(
            Handoff(
                reference=reference,
                kind="crisis_flag",
                conversation_id=conversation_id,
                urgent=True,
                reason="crisis",
                transcript=json.dumps(transcript),
            )
        )
    return reference


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
        return handoff


def _get(session, reference: str) -> Handoff:  # noqa: ANN001
    handoff = session.execute(
        select(Handoff).where(Handoff.reference == reference.strip().upper())
    ).scalar_one_or_none()
    if handoff is None:
        raise HandoffNotFound(reference)
    return handoff
