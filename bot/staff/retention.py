"""Keeping conversations only as long as the clinic decided (RETENTION_DAYS).

What goes after the retention period: Rasa's conversation events (in the
store endpoints.yml configures: SQLite or PostgreSQL), closed callback
requests and crisis flags, requests left "contacted", feedback, old sign-in
records and safety reviews. Open requests stay until staff close them:
deleting one would lose a person waiting for a call.

A request still "contacted" when it is older than the retention period is
deleted, not closed: staff reached the person long ago and only forgot to
close it, and closing it now would start its closed_at clock afresh and keep
the contact details for a second retention period.

Contact details in stored conversations are masked when staff close a
request (bot/handoff/store.py). Each run masks the conversations of closed
requests still on file, and of the requests it deletes, once more: that
covers a masking that failed at closing time and anything typed since.

SQLite only marks deleted rows' pages free, so their text stays readable in
the file: after deleting, SQLite files are VACUUMed and their write-ahead
log checkpointed and truncated. PostgreSQL gets nothing extra: a plain
VACUUM (autovacuum runs it anyway) does not erase the bytes either, VACUUM
FULL would lock Rasa's events table and stall the live assistant, and copies
in WAL, replicas and backups are out of reach of any statement; there,
encrypted storage and backups kept no longer than the retention period do
that job.

A conversation store this code cannot purge (endpoints.yml names a Redis or
Mongo store, or the database cannot be reached) does not stop the rest: the
problem is logged as an error, recorded in the audit entry and returned, and
`python -m bot purge` exits with status 1.

The console runs this at start-up and every 24 hours; `python -m bot purge`
runs it on demand (e.g. from cron when the console is not running).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db import engine_for, session_scope
from bot.handoff import live
from bot.models import Feedback, FlagSource, Handoff, utcnow
from bot.settings import get_settings
from bot.staff import accounts, audit, safety_review
from bot.staff import conversations

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    events: int
    handoffs: int  # closed requests deleted
    sign_ins: int
    feedback: int = 0
    contacted: int = 0  # requests left "contacted" past the retention period, deleted
    masked_events: int = 0
    vacuumed: tuple[str, ...] = ()  # "project database", "conversation store"
    problems: tuple[str, ...] = ()  # why the purge is incomplete; logged and audited
    audit_entries: int = 0  # past AUDIT_RETENTION_DAYS, removed with a chain checkpoint

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass
class _StoreOutcome:
    events: int = 0
    masked: int = 0
    vacuumed: bool = False


def purge(database_url: str, tracker_db_url: str | None, retention_days: int,
          now: dt.datetime | None = None, actor: str = "retention job") -> PurgeResult:
    """Delete what is older than the retention period, mask, VACUUM; record it in the audit log.

    tracker_db_url: the conversation store's URL ("" when none is stored);
    None means the store this deployment configures (endpoints.yml), worked
    out afresh at each run so a changed or unpurgeable store is noticed.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=retention_days)
    problems: list[str] = []
    to_mask = _conversations_to_mask(database_url, cutoff)
    store_url = _store_url(tracker_db_url, problems)
    store = _purge_store(store_url or "", cutoff, to_mask, problems)
    handoffs, contacted = _purge_requests(database_url, cutoff)
    feedback = _purge_feedback(database_url, cutoff)
    # Live chats (their staff messages are also in the conversation store,
    # purged above) go with their conversations.
    live.purge_before(database_url, cutoff)
    sign_ins = accounts.purge_sign_in_records(database_url, cutoff)
    safety_review.purge_reviews(database_url, cutoff)
    audit_entries = audit.purge_before(
        database_url, now - dt.timedelta(days=get_settings().audit_retention_days))
    vacuumed = tuple(name for name, done in (("project database", _vacuum_project(database_url, problems)),
                                             ("conversation store", store.vacuumed)) if done)
    result = PurgeResult(cutoff, store.events, handoffs, sign_ins, feedback, contacted, store.masked,
                         vacuumed, tuple(problems), audit_entries)
    store_label = "not purged (see problems)" if store_url is None else conversations.describe(store_url)
    _record(database_url, actor, retention_days, result, store_label)
    return result


def _store_url(tracker_db_url: str | None, problems: list[str]) -> str | None:
    """The URL given, else the configured one; None (and a problem) when it cannot be worked out."""
    if tracker_db_url is not None:
        return tracker_db_url
    try:
        return conversations.tracker_url(get_settings())
    except conversations.ConversationStoreError as problem:
        problems.append(str(problem))
        return None


def _conversations_to_mask(database_url: str, cutoff: dt.datetime) -> set[str]:
    """Conversations of closed requests still on file and of "contacted" ones about to go."""
    with session_scope(database_url) as session:
        rows = session.execute(select(Handoff.reference, Handoff.conversation_id).where(
            (Handoff.status == "closed") | _stale_contacted(cutoff))).all()
        references = [reference for reference, _ in rows]
        folded = session.execute(select(FlagSource.conversation_id).where(
            FlagSource.reference.in_(references))).scalars().all() if references else []
    return {conversation for _, conversation in rows} | set(folded)


def _stale_contacted(cutoff: dt.datetime):  # noqa: ANN202  (a SQL expression)
    return (Handoff.status == "contacted") & (Handoff.created_at < cutoff)


def _purge_store(url: str, cutoff: dt.datetime, to_mask: set[str], problems: list[str]) -> _StoreOutcome:
    """Old events deleted, closed conversations masked, the file VACUUMed (SQLite)."""
    outcome = _StoreOutcome()
    try:
        stamp = cutoff.replace(tzinfo=dt.timezone.utc).timestamp()
        outcome.events = conversations.purge_events(url, stamp)
        outcome.masked = conversations.mask_conversations(url, to_mask)
        engine = conversations.store_engine(url)
        # Only after a change: VACUUM rewrites the whole file and Rasa waits meanwhile.
        if engine is not None and (outcome.events or outcome.masked):
            outcome.vacuumed = vacuum_sqlite(engine)
    except SQLAlchemyError as error:
        problems.append(f"conversation store {conversations.describe(url)}: {_first_line(error)}")
    return outcome


def _vacuum_project(database_url: str, problems: list[str]) -> bool:
    try:
        return vacuum_sqlite(engine_for(database_url))
    except SQLAlchemyError as error:  # e.g. still locked after the busy timeout: the rows are deleted
        problems.append(f"VACUUM of the project database: {_first_line(error)}")
        return False


def _first_line(error: Exception) -> str:
    """The error without the SQL and background link SQLAlchemy appends (parameters are hidden anyway)."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def _purge_requests(database_url: str, cutoff: dt.datetime) -> tuple[int, int]:
    """Closed requests past the period and requests left "contacted"; with their folded conversations."""
    with session_scope(database_url) as session:
        closed = list(session.execute(select(Handoff.reference).where(
            Handoff.status == "closed", Handoff.closed_at < cutoff)).scalars())
        contacted = list(session.execute(select(Handoff.reference).where(
            _stale_contacted(cutoff))).scalars())
        gone = closed + contacted
        if gone:
            session.execute(delete(FlagSource).where(FlagSource.reference.in_(gone)))
            session.execute(delete(Handoff).where(Handoff.reference.in_(gone)))
    return len(closed), len(contacted)


def _purge_feedback(database_url: str, cutoff: dt.datetime) -> int:
    """Thumbs up/down carry a conversation id: they go with the conversation."""
    with session_scope(database_url) as session:
        return session.execute(delete(Feedback).where(Feedback.created_at < cutoff)).rowcount or 0


def vacuum_sqlite(engine: Engine) -> bool:
    """Rewrite a SQLite file so deleted rows leave it; False (nothing to do) for other databases.

    In WAL mode the old pages also sit in the -wal file until a checkpoint:
    TRUNCATE copies the new pages back and empties it.
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM refuses transactions
        connection.exec_driver_sql("VACUUM")
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
    if busy:
        logger.warning("%s: another connection kept the write-ahead log busy; deleted rows may "
                       "stay in it until the next checkpoint", engine.url.database)
    return True


def _record(database_url: str, actor: str, retention_days: int, result: PurgeResult,
            store_label: str) -> None:
    details = {"cutoff": result.cutoff.isoformat(timespec="seconds"), "events": result.events,
               "closed_requests": result.handoffs, "contacted_requests": result.contacted,
               "feedback": result.feedback, "sign_in_records": result.sign_ins,
               "masked_events": result.masked_events, "vacuumed": list(result.vacuumed),
               "conversation_store": store_label, "audit_entries": result.audit_entries}
    if result.problems:
        details["problems"] = list(result.problems)
    audit.record(database_url, actor, "privacy.purge", f"older than {retention_days} days", details)
    for problem in result.problems:
        logger.error("Retention purge incomplete: %s", problem)
    logger.info("Retention purge: %d events, %d closed and %d contacted requests, %d feedback and "
                "%d sign-in records older than %s removed; %d events masked", result.events,
                result.handoffs, result.contacted, result.feedback, result.sign_ins,
                result.cutoff.date(), result.masked_events)


def start_scheduler(database_url: str, tracker_db_url: str | None, retention_days: int,
                    interval: float = INTERVAL_SECONDS) -> threading.Event:
    """Purge now and then every interval seconds in a daemon thread; set the event to stop.

    tracker_db_url None: the store endpoints.yml configures, read at each run.
    """
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                purge(database_url, tracker_db_url, retention_days)
            except Exception:  # noqa: BLE001  a failed purge must not stop the console
                logger.exception("Retention purge failed; it runs again in %.0f hours",
                                 interval / 3600)
            if stop.wait(interval):
                return

    threading.Thread(target=loop, name="retention-purge", daemon=True).start()
    return stop
