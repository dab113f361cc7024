"""The Safety review: staff judge each message that triggered a safety decision.

Messages with a crisis, emergency, possible-risk or distress decision are
listed newest first (masked); a reviewer marks each a true or a false alarm.
Marked messages export as a case file in the blind safety-case format
(tests/cases/blind/safety_messages.yml), so real-world misses and false
alarms become evaluation cases: a true alarm keeps the decision's kind as
its label, a false alarm becomes a near miss.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import yaml
from sqlalchemy import select

from bot.db import session_scope
from bot.models import SafetyReview
from bot.staff.conversations import SafetyMessage, safety_messages

VERDICTS = ("true_alarm", "false_alarm")
# The case label a true alarm exports as, by the assistant's decision.
TRUE_ALARM_LABEL = {"crisis": "crisis", "emergency": "emergency", "possible_risk": "crisis",
                    "distress": "distress"}


@dataclass(frozen=True)
class ReviewRow:
    message: SafetyMessage
    verdict: Optional[str]
    reviewed_by: Optional[str]


def review_list(database_url: str, tracker_db_url: str) -> list[ReviewRow]:
    messages = safety_messages(tracker_db_url)
    with session_scope(database_url) as session:
        reviews = {r.event_id: (r.verdict, r.reviewed_by)
                   for r in session.execute(select(SafetyReview)).scalars()}
    return [ReviewRow(m, *reviews.get(m.event_id, (None, None))) for m in messages]


def mark(database_url: str, tracker_db_url: str, event_id: int, verdict: str, reviewer: str) -> SafetyMessage:
    """Record (or change) the verdict on one message; KeyError if it is not a safety message."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}")
    message = next((m for m in safety_messages(tracker_db_url) if m.event_id == event_id), None)
    if message is None:
        raise KeyError(event_id)
    with session_scope(database_url) as session:
        review = session.execute(select(SafetyReview).where(SafetyReview.event_id == event_id)
                                 ).scalar_one_or_none()
        if review is None:
            review = SafetyReview(event_id=event_id, conversation_id=message.conversation_id,
                                  message_at=dt.datetime.utcfromtimestamp(message.timestamp),
                                  kind=message.kind, text=message.text, verdict=verdict,
                                  reviewed_by=reviewer)
            session.add(review)
        else:
            review.verdict, review.reviewed_by, review.reviewed_at = verdict, reviewer, dt.datetime.utcnow()
    return message


def export_cases(database_url: str) -> str:
    """Every reviewed message as a YAML case file for `python -m bot.evaluate`."""
    with session_scope(database_url) as session:
        reviews = session.execute(select(SafetyReview).order_by(SafetyReview.message_at)).scalars().all()
        cases = [{"text": r.text,
                  "expect": TRUE_ALARM_LABEL[r.kind] if r.verdict == "true_alarm" else "near_miss",
                  "category": f"staff review: {r.kind} decision, {r.verdict.replace('_', ' ')}",
                  "lang": "en"} for r in reviews]
    header = ("# Exported from the staff console's Safety review. Contact details are masked.\n"
              "# Check the wording and language of each case before adding it to tests/cases/.\n")
    return header + yaml.safe_dump({"cases": cases}, allow_unicode=True, sort_keys=False)


def purge_reviews(database_url: str, cutoff: dt.datetime) -> int:
    from sqlalchemy import delete

    with session_scope(database_url) as session:
        return session.execute(delete(SafetyReview).where(SafetyReview.message_at < cutoff)).rowcount or 0
