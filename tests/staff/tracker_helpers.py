"""Conversations as Rasa itself stores them, for the conversation-store tests.

store_conversation() builds Rasa's own tracker store from an endpoints.yml
with Rasa's own factory and saves real Rasa events through it: the rows
land in the table, columns and database Rasa would use in production, not
in an imitation of its schema.
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, text

DAY = 86400.0


@dataclass(frozen=True)
class PostgresDatabase:
    """One database on the throwaway server (tests/postgres.py)."""

    cluster: Any
    name: str

    @property
    def url(self) -> str:
        return self.cluster.url(self.name)

    @property
    def password(self) -> str:
        return self.cluster.password

    def tracker_store(self, password: str = "${PG_PASSWORD}") -> dict:
        """endpoints.yml's tracker_store for it, as a clinic writes one (password from the environment)."""
        return {"type": "SQL", "dialect": "postgresql", "url": self.cluster.host,
                "port": self.cluster.port, "db": self.name, "username": self.cluster.user,
                "password": password}


def write_endpoints(path: Path, tracker_store: dict | None, **sections: Any) -> Path:
    """An endpoints.yml like the repository's, with this tracker_store (None: no section)."""
    content: dict[str, Any] = {"action_endpoint": {"url": "http://127.0.0.1:5055/webhook"}, **sections}
    if tracker_store is not None:
        content["tracker_store"] = tracker_store
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def _stamp(age_days: float) -> float:
    return time.time() - age_days * DAY


def user(said: str, age_days: float = 0.0, intent: str = "request_human"):  # noqa: ANN201
    from rasa.shared.core.events import UserUttered

    return UserUttered(said, {"name": intent, "confidence": 1.0}, timestamp=_stamp(age_days))


def slot(name: str, value: Any, age_days: float = 0.0):  # noqa: ANN201
    from rasa.shared.core.events import SlotSet

    return SlotSet(name, value, timestamp=_stamp(age_days))


def bot(said: str, age_days: float = 0.0):  # noqa: ANN201
    from rasa.shared.core.events import BotUttered

    return BotUttered(said, timestamp=_stamp(age_days))


def store_conversation(endpoints: Path, sender: str, events: list) -> None:
    """Save one conversation (all of it, once) through the tracker store Rasa builds from endpoints."""
    from rasa.core.tracker_store import create_tracker_store
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.slots import TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")
    store = create_tracker_store(config, Domain.empty())
    names = sorted({event.key for event in events if isinstance(event, SlotSet)})
    tracker = DialogueStateTracker.from_events(sender, events,
                                               slots=[TextSlot(name, mappings=[]) for name in names])
    asyncio.run(store.save(tracker))
    store.engine.dispose()


def stored_events(url: str, sender: str | None = None) -> list[dict]:
    """Every stored event (optionally of one conversation): its columns, with data parsed."""
    engine = create_engine(url, future=True)
    query = "SELECT id, sender_id, type_name, timestamp, data FROM events"
    query += " WHERE sender_id = :sender ORDER BY id" if sender else " ORDER BY id"
    with engine.connect() as connection:
        rows = connection.execute(text(query), {"sender": sender} if sender else {}).all()
    engine.dispose()
    return [{"id": row[0], "sender": row[1], "type": row[2], "timestamp": row[3],
             "data": json.loads(row[4]), "raw": row[4]} for row in rows]
