"""Reading (and purging) Rasa's conversation store for the console.

Rasa's SQLTrackerStore keeps one row per event in the table `events`. The
console only reads two kinds: visitor messages the assistant could not
answer (type "user", intent "nlu_fallback") and curated answers it sent
(type "bot", data.custom.answer_id). Its own engine is used, not bot.db's,
because that one would create the project's tables inside Rasa's database.
"""
from __future__ import annotations

import functools
import json
import os
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from bot.privacy import mask_contact_details


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


def fallback_messages(url: str) -> list[str]:
    """What visitors typed that the assistant could not answer, contact details masked."""
    engine = _engine(url)
    if not _has_events(engine):
        return []
    query = text("SELECT data FROM events WHERE type_name = 'user' AND intent_name = 'nlu_fallback'")
    with engine.connect() as connection:
        rows = connection.execute(query).scalars().all()
    messages = []
    for data in rows:
        try:
            said = str(json.loads(data).get("text") or "").strip()
        except (TypeError, ValueError):
            continue
        if said and not said.startswith("/"):  # button payloads are not visitor words
            messages.append(mask_contact_details(" ".join(said.split())))
    return messages


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
