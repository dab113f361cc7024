"""Every table of the project's database, in one place so migrations are easy to see."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text

from bot.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Handoff(Base):
    """A conversation staff must look at: a callback request or a crisis flag."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # "callback" or "crisis_flag"
    conversation_id = Column(String(128), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    urgent = Column(Boolean, nullable=False, default=False)
    reason = Column(String(64), nullable=False, default="")
    first_name = Column(String(80))
    contact = Column(String(254))
    contact_kind = Column(String(8))  # "phone" or "email"
    preferred_time = Column(String(120))
    consent = Column(Boolean, nullable=False, default=False)
    transcript = Column(Text, nullable=False, default="[]")  # JSON, contact details masked
    status = Column(String(16), nullable=False, default="open")  # open, contacted, closed
    notified_at = Column(DateTime)
    closed_at = Column(DateTime)
    closed_by = Column(String(254))
    staff_note = Column(Text)


class Feedback(Base):
    """A visitor's thumbs up or down on one answer."""

    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    answer_id = Column(String(80), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)


# --- Staff console (issue 6) -------------------------------------------------


class StaffUser(Base):
    """A person who signs in to the staff console.

    `roles` is a comma-separated set (editor, reviewer, front_desk, admin) so a
    small clinic's medical director can be both reviewer and admin. `title` is
    what approvals record as reviewed_by, e.g. "Dr. Rivera, medical director".
    """

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), unique=True, nullable=False, index=True)
    title = Column(String(120), nullable=False)
    roles = Column(String(120), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    password_changed_at = Column(DateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A signed-in browser. The cookie holds only the random token, so signing
    out, deactivating an account or changing a password ends it server-side."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True, nullable=False, index=True)
    user_id = Column(Integer, nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class LoginAttempt(Base):
    """One sign-in try, kept to lock an email out after repeated failures."""

    __tablename__ = "staff_login_attempts"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    succeeded = Column(Boolean, nullable=False, default=False)


class AuditEntry(Base):
    """Who changed what, when. `details` is JSON (before/after values)."""

    __tablename__ = "staff_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(254), nullable=False)
    action = Column(String(64), nullable=False, index=True)
    target = Column(String(160), nullable=False, default="")
    details = Column(Text, nullable=False, default="{}")


class SafetyReview(Base):
    """A staff verdict on a message that triggered a safety decision.

    Keyed by the conversation event it reviews. The masked text and the kind
    are copied so that reviewed messages can still be exported as test cases
    until the retention purge removes the review with its conversation.
    """

    __tablename__ = "safety_reviews"

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, unique=True, nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    message_at = Column(DateTime, nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # the assistant's decision
    text = Column(Text, nullable=False)  # contact details masked
    verdict = Column(String(16), nullable=False)  # "true_alarm" or "false_alarm"
    reviewed_by = Column(String(254), nullable=False)
    reviewed_at = Column(DateTime, nullable=False, default=utcnow)
