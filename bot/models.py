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
