"""Reading, masking and purging Rasa's conversation store for the console.

Rasa's SQLTrackerStore keeps one row per event in the table `events`. The
console reads three kinds: visitor messages the assistant could not answer
(type "user", intent "nlu_fallback", and no safety decision), visitor
messages with a safety decision (crisis, emergency, possible risk,
distress) for the Safety review, and curated answers it sent (type "bot",
data.custom.answer_id). Its own engine is used, not bot.db's, because that
one would create the project's tables inside Rasa's database.

Which store: the `tracker_store` section of the endpoints.yml the Rasa
server runs with (ENDPOINTS_FILE, default <root>/endpoints.yml), turned into
a database URL exactly as Rasa's SQLTrackerStore does, so retention purges
and masks the conversations where Rasa actually wrote them (SQLite file,
PostgreSQL, ...). TRACKER_DB_URL overrides it for test set-ups only.
"""
from __future__ import annotations

import functools
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url

from bot.privacy import mask_contact_details
from bot.safety.decision import RISK_KINDS, SAFETY_REVIEW_KINDS
from bot.settings import Settings

logger = logging.getLogger(__name__)
# Keys of Rasa's event JSON that hold identifiers, not words: masking them
# would change nothing a person wrote and could corrupt an id that happens
# to contain a run of digits.
IDENTIFIER_KEYS = frozenset({"event", "name", "timestamp", "message_id", "input_channel", "policy",
                             "model_id", "assistant_id", "sender_id", "action_name", "entity",
                             "extractor", "intent_name", "answer_id", "kind"})

_DIGIT = re.compile(r"\d")
# Rasa events after which no earlier SlotSet is a slot's current value.
SLOT_RESETS = frozenset({"session_started", "restart", "reset_slots"})


class ConversationStoreError(RuntimeError):
    """The configured conversation store cannot be found, read or purged by this code."""


def describe(url: str) -> str:
    """The URL for logs and the audit log: never the password."""
    if not url:
        return "no stored conversations (Rasa keeps them in memory)"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001  an unparsable URL must not leak through an error message
        return "an unparsable database URL"


def tracker_url(settings: Settings) -> str:
    """The SQLAlchemy URL of the store Rasa writes conversations to; "" if it keeps them in memory.

    Raises ConversationStoreError when the store cannot be worked out or is
    not an SQL store: callers must say so loudly, never treat it as empty.
    """
    if not settings.tracker_db_url:
        return endpoints_tracker_url(settings.endpoints_file, settings.root)
    try:
        configured = endpoints_tracker_url(settings.endpoints_file, settings.root)
    except ConversationStoreError as problem:
        configured = f"unreadable ({problem})"
    if configured != settings.tracker_db_url:
        logger.warning("TRACKER_DB_URL (%s) overrides the tracker store of %s (%s): make sure Rasa "
                       "writes conversations there, or unset TRACKER_DB_URL",
                       describe(settings.tracker_db_url), settings.endpoints_file,
                       configured if configured.startswith("unreadable") else describe(configured))
    return settings.tracker_db_url


def endpoints_tracker_url(endpoints_file: Path, root: Path) -> str:
    """The database URL an endpoints file's tracker_store gives Rasa's SQLTrackerStore.

    A relative SQLite path is taken from root: Rasa opens it relative to its
    working directory, which is the project root (bot/services.py).
    """
    section = _tracker_store_section(endpoints_file)
    if section is None:
        return ""  # Rasa's default: InMemoryTrackerStore, nothing on disk to purge
    from rasa.core.tracker_store import SQLTrackerStore, validate_port
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig.from_dict(dict(section))
    if config.type is None:
        return ""
    if str(config.type).lower() != "sql":
        raise ConversationStoreError(
            f"{endpoints_file} configures a tracker store of type {config.type!r}; retention and "
            "masking can only work on Rasa's SQL tracker store (type: SQL), so conversations there "
            "are NOT purged or masked")
    options = config.kwargs
    try:
        port = validate_port(options.get("port"))
    except RasaException as invalid:
        raise ConversationStoreError(f"{endpoints_file}: {invalid}") from invalid
    # login_db is left out: Rasa only uses it to create `db`, then stores events in `db`.
    url = SQLTrackerStore.get_db_url(options.get("dialect", "sqlite"), config.url, port,
                                     options.get("db", "rasa.db"), options.get("username"),
                                     options.get("password"), None, options.get("query"))
    url = make_url(url)  # a str when `url:` holds a complete URL, which Rasa then uses as it is
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return ""
        url = url.set(database=str(root / url.database))
    return url.render_as_string(hide_password=False)


def _tracker_store_section(endpoints_file: Path) -> dict | None:
    """The tracker_store section, ${VARIABLES} expanded as Rasa expands them.

    Only this section is expanded: an unset variable elsewhere in the file
    (say the action server's token, which `make run` sets for Rasa alone)
    must not stop a purge from cron.
    """
    try:
        content = endpoints_file.read_text(encoding="utf-8")
    except OSError as unreadable:
        raise ConversationStoreError(
            f"cannot read {endpoints_file} ({unreadable.strerror}); set ENDPOINTS_FILE to the "
            "endpoints file the Rasa server runs with") from unreadable
    import rasa.shared.utils.io as rasa_io  # registers Rasa's ${VARIABLE} resolver on its YAML loader
    from rasa.shared.exceptions import RasaException
    from ruamel import yaml

    loader = yaml.YAML(typ="safe")
    loader.version = rasa_io.YAML_VERSION
    try:
        document = loader.compose(_as_rasa_reads(content))
        for key, value in getattr(document, "value", None) or []:
            if getattr(key, "value", None) == "tracker_store":
                section = loader.constructor.construct_document(value)
                return section if isinstance(section, dict) else None
    except (RasaException, yaml.YAMLError) as invalid:
        raise ConversationStoreError(f"{endpoints_file}: {invalid}") from invalid
    return None


def _as_rasa_reads(content: str) -> str:
    """rasa.shared.utils.io.read_yaml's treatment of an all-ASCII file (backslash-u escapes)."""
    if not all(ord(character) < 128 for character in content):
        return content
    return (content.encode("utf-8").decode("raw_unicode_escape")
            .encode("utf-16", "surrogatepass").decode("utf-16"))


@functools.lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    engine = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True,
                           **_rasa_engine_options(url))
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001
            cursor = connection.cursor()
            # Masked or deleted text is overwritten with zeros in the file,
            # not just marked free, so it cannot be read back from it.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA busy_timeout=5000")  # Rasa may be writing
            cursor.close()
    return engine


def _rasa_engine_options(url: str) -> dict:
    """The schema Rasa uses (POSTGRESQL_SCHEMA), so the same `events` table is found."""
    if "postgresql" not in url:  # Rasa's own test (is_postgresql_url)
        return {}
    from rasa.core.tracker_store import create_engine_kwargs

    options = create_engine_kwargs(url)
    return {"connect_args": options["connect_args"]} if "connect_args" in options else {}


def store_engine(url: str) -> Engine | None:
    """The engine for a conversation store that has an `events` table, else None."""
    if not url:
        return None
    engine = _engine(url)
    return engine if _has_events(engine) else None


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
    engine = store_engine(url)
    if engine is None:
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
    engine = store_engine(url)
    if engine is None:
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
    engine = store_engine(url)
    counts: Counter = Counter()
    if engine is None:
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
    engine = store_engine(url)
    if engine is None:
        return 0
    with engine.begin() as connection:
        result = connection.execute(text("DELETE FROM events WHERE timestamp < :cutoff"),
                                    {"cutoff": before_timestamp})
        return result.rowcount or 0


def mask_conversations(url: str, conversation_ids: Iterable[str]) -> int:
    """Mask phone numbers and emails in these conversations' stored events; returns events changed.

    Every string in an event's JSON is masked (what the visitor typed, what
    the assistant echoed, slot and entity values), except identifiers.
    Only the event that holds a slot's current value is left as it is: Rasa
    reads it on the visitor's next turn, and masking a callback form being
    filled in right now would save "[phone]" as the number to call. The
    form's submit clears those slots, after which the next masking (closing
    that request, or the daily retention run) covers them.
    """
    engine = store_engine(url)
    wanted = sorted({str(c) for c in conversation_ids if c})
    if engine is None or not wanted:
        return 0
    changed = 0
    with engine.begin() as connection:
        for conversation_id in wanted:
            rows = connection.execute(
                text("SELECT id, data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": conversation_id}).all()
            updates = _masked_rows(rows)
            if updates:
                connection.execute(text("UPDATE events SET data = :data WHERE id = :id"), updates)
            changed += len(updates)
    return changed


def _masked_rows(rows: list) -> list[dict[str, Any]]:
    """UPDATE parameters for the events whose JSON changes when masked."""
    events = [(event_id, _event(data)) for event_id, data in rows]
    live = _current_slot_events(events)
    updates = []
    for event_id, event in events:
        if not event or event_id in live:
            continue
        masked = _masked(event)
        if masked != event:
            updates.append({"id": event_id, "data": json.dumps(masked)})
    return updates


def _current_slot_events(events: list[tuple[Any, dict]]) -> set:
    """Ids of the events that set each slot's present value (None values excluded)."""
    latest: dict[str, tuple[Any, Any]] = {}
    for event_id, event in events:
        if event.get("event") in SLOT_RESETS:
            latest.clear()
        elif event.get("event") == "slot":
            latest[str(event.get("name"))] = (event_id, event.get("value"))
    return {event_id for event_id, value in latest.values() if value is not None}


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        if key in IDENTIFIER_KEYS or not (_DIGIT.search(value) or "@" in value):
            return value  # the fast path: no phone number or email can be in it
        return mask_contact_details(value)
    if isinstance(value, list):
        return [_masked(item, key) for item in value]
    if isinstance(value, dict):
        return {name: _masked(item, str(name)) for name, item in value.items()}
    return value
