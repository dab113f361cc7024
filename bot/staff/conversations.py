"""Reading (and purging) Rasa's conversation store for the console.

Rasa's SQLTrackerStore keeps one row per event in the table `events`. The
console reads three kinds: visitor messages the assistant could not answer
(type "user", intent "nlu_fallback", and no safety decision), visitor
messages with a safety decision (crisis, emergency, possible risk,
distress) for the Safety review, and curated answers it sent (type "bot",
data.custom.answer_id). Its own engine is used, not bot.db's, because that
one would create the project's tables inside Rasa's database.
"""
from __future__ import annotations

import functools
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.privacy import mask_contact_details
from bot.safety.decision import RISK_KINDS, SAFETY_REVIEW_KINDS


def tracker_url(root: Path) -> str:
    """TRACKER_DB_URL, else the SQLite file endpoints.yml names by default."""
    return os.environ.get("TRACKER_DB_URL", "").strip() or f"sqlite:///{root / 'var' / 'tracker.db'}"


@functools.lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    return create_engine(url, future=True, pool_pre_ping=True)


def _has_events(engine: Engine) -> bool:
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or not Path(path).exists():
            return False  # do not create an empty file where Rasa will write
    return inspect(engine).has_table("events")


@dataclass(frozen=True)
class SafetyMessage:
    """A visitor message that received a safety decision, for staff review."""

    event_id: int
    conversation_id: str
    timestamp: float
    kind: str
    reason: str
    text: str  # contact details masked


def _event(data: Any) -> dict:
    try:
        event = json.loads(data)
    except (TypeError, ValueError):
        return {}
    return event if isinstance(event, dict) else {}


def _said(event: dict) -> str:
    """The visitor's words, one space between, contact details masked; "" for button payloads."""
    said = " ".join(str(event.get("text") or "").split())
    return "" if said.startswith("/") else mask_contact_details(said)


def safety_kind(event: dict) -> str:
    return str(((event.get("parse_data") or {}).get("safety") or {}).get("kind") or "none")


def fallback_messages(url: str) -> list[str]:
    """What visitors typed that the assistant could not answer, contact details masked.

    A message that triggered a safety decision is never one of these: it is
    risk, not a question to add to the training data, and goes to the
    Safety review instead. Nor is anything a visitor wrote after the crisis
    reply (crisis mode): "idk" or "whatever" there is not a question.
    """
    engine = _engine(url)
    if not _has_events(engine):
        return []
    query = text("SELECT sender_id, timestamp, intent_name, data FROM events WHERE type_name = 'user' "
                 "ORDER BY timestamp, id")
    crisis_since: dict[str, float] = {}
    messages = []
    with engine.connect() as connection:
        for sender, stamp, intent, data in connection.execute(query):
            event = _event(data)
            kind = safety_kind(event)
            if kind in RISK_KINDS:
                crisis_since.setdefault(str(sender), float(stamp or 0.0))
            if intent != "nlu_fallback" or kind in SAFETY_REVIEW_KINDS:
                continue
            if str(sender) in crisis_since and float(stamp or 0.0) >= crisis_since[str(sender)]:
                continue
            said = _said(event)
            if said:
                messages.append(said)
    return messages


def safety_messages(url: str, limit: int = 500) -> list[SafetyMessage]:
    """Visitor messages with a crisis, emergency, possible-risk or distress decision, newest first."""
    engine = _engine(url)
    if not _has_events(engine):
        return []
    query = text("SELECT id, sender_id, timestamp, data FROM events WHERE type_name = 'user' "
                 "AND data LIKE '%\"safety\"%' ORDER BY timestamp DESC, id DESC")
    found = []
    with engine.connect() as connection:
        for event_id, sender, stamp, data in connection.execute(query):
            event = _event(data)
            kind = safety_kind(event)
            said = _said(event)
            if kind in SAFETY_REVIEW_KINDS and said:
                reason = str(event["parse_data"]["safety"].get("reason") or "")
                found.append(SafetyMessage(int(event_id), str(sender), float(stamp or 0.0), kind,
                                           reason, said))
                if len(found) >= limit:
                    break
    return found


def answer_usage(url: str) -> Counter:
    """How many times each curated answer was sent."""
    engine = _engine(url)
    counts: Counter = Counter()
    if not _has_events(engine):
        return counts
    query = text("SELECT data FROM events WHERE type_name = 'bot' AND data LIKE '%answer_id%'")
    with engine.connect() as connection:
        for data in connection.execute(query).scalars():
            try:
                custom = (json.loads(data).get("data") or {}).get("custom") or {}
            except (TypeError, ValueError, AttributeError):
                continue
            if custom.get("kind") == "answer" and custom.get("answer_id"):
                counts[str(custom["answer_id"])] += 1
    return counts


def purge_events(url: str, before_timestamp: float) -> int:
    """Delete every conversation event older than the cut-off (unix seconds)."""
    engine = _engine(url)
    if not _has_events(engine):
        return 0
    with engine.begin() as connection:
        result = connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"),
                                    {"cutoff": before_timestamp})
        return result.rowcount or 0
