"""The audit log: who changed what, and when; append-only and tamper-evident.

Every change made through the console or the staff commands is written here
(in the same database as the callback queue). Free text that staff type can
contain a caller's phone number, so it is masked before it is stored.

Each entry carries prev_hash, the hash of the entry before it, and its own
entry_hash: sha256 over a canonical serialisation of its fields and
prev_hash. Changing, removing, inserting or reordering an entry breaks the
chain at that point, which `python -m bot audit verify` reports. Writers take
a database-wide lock first (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
transaction advisory lock), so two processes never chain from the same entry.

Nothing updates or deletes entries except purge_before, the retention purge:
it records a checkpoint (the first entry kept and the hash it chains from)
before removing older entries, so what remains still verifies. Triggers in
the database refuse any other UPDATE or DELETE.

Databases from before the chain: their old entries have no hash. The chain
starts at the first hashed entry; verify counts the older ones as
unverifiable rather than failing on them.

Limit (say it plainly): the chain has no secret, so someone who can write to
the database can rebuild it from the point they changed. Note the head hash
that verify prints somewhere else (a ticket, the clinic's backup log) to
detect that too.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any, Iterator

from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.db import engine_for, session_scope
from bot.models import AuditCheckpoint, AuditEntry, utcnow
from bot.privacy import mask_contact_details

logger = logging.getLogger(__name__)
GENESIS = "0" * 64  # what the very first entry chains from
# Any constant works; it names "the audit chain" among PostgreSQL advisory locks.
POSTGRES_LOCK_KEY = 0x5A0D17
# Column sizes of AuditEntry: values are cut to fit *before* hashing, so the
# hash covers exactly what the database keeps.
_SIZES = {"actor": 254, "action": 64, "target": 160}


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_contact_details(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(item) for item in value]
    return value


def _clean(value: str, field: str) -> str:
    # PostgreSQL refuses NUL in text; a typed sign-in email could carry one.
    return str(value).replace("\x00", "")[:_SIZES[field]]


# --- the hash chain -------------------------------------------------------------


def entry_hash(prev_hash: str, at: dt.datetime, actor: str, action: str, target: str,
               details: str) -> str:
    """sha256 of one entry: sorted-key JSON, ASCII only, so every platform gets the same bytes."""
    canonical = json.dumps(
        {"prev": prev_hash, "at": at.isoformat(timespec="microseconds"), "actor": actor,
         "action": action, "target": target, "details": details},
        sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _hash_of(entry: AuditEntry) -> str:
    return entry_hash(entry.prev_hash or "", entry.at, entry.actor, entry.action, entry.target,
                      entry.details)


def _lock_chain(session: Session) -> None:
    """Hold the chain for this transaction, so reading the head and appending are one step.

    Must be the session's first statement: SQLite takes its write lock at
    BEGIN IMMEDIATE, and a transaction that had already read could not upgrade.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_LOCK_KEY})
    else:  # best effort elsewhere: lock the newest row
        session.execute(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)
                        .with_for_update())


def _head_hash(session: Session) -> str:
    """What the next entry chains from."""
    newest = session.execute(
        select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    if newest is not None:
        # An entry from before the chain: the chain starts after it.
        return newest.entry_hash or GENESIS
    checkpoint = _latest_checkpoint(session)
    return (checkpoint.anchor_hash if checkpoint else None) or GENESIS


def _latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
                           .limit(1)).scalar_one_or_none()


def _append(session: Session, actor: str, action: str, target: str,
            details: dict[str, Any] | None) -> AuditEntry:
    """Add one entry after the head; the caller holds the chain lock."""
    prev = _head_hash(session)
    entry = AuditEntry(at=utcnow(), actor=_clean(actor, "actor"), action=_clean(action, "action"),
                       target=_clean(target, "target"),
                       details=json.dumps(_masked(details or {}), default=str).replace("\x00", ""),
                       prev_hash=prev)
    entry.entry_hash = _hash_of(entry)
    session.add(entry)
    session.flush()
    return entry


# --- preparing a database ----------------------------------------------------------------

_GUARD_MESSAGE = "staff_audit is append-only; only the retention purge removes old entries"
_SQLITE_GUARDS = (
    f"""CREATE TRIGGER IF NOT EXISTS staff_audit_no_update BEFORE UPDATE ON staff_audit
    BEGIN SELECT RAISE(ABORT, '{_GUARD_MESSAGE}'); END""",
    # A row may go only once a purge checkpoint has declared it purged.
    f"""CREATE TRIGGER IF NOT EXISTS staff_audit_no_delete BEFORE DELETE ON staff_audit
    WHEN NOT EXISTS (SELECT 1 FROM staff_audit_checkpoints c WHERE old.id < c.first_kept_id)
    BEGIN SELECT RAISE(ABORT, '{_GUARD_MESSAGE}'); END""",
    """CREATE TRIGGER IF NOT EXISTS staff_audit_checkpoints_no_change BEFORE UPDATE
    ON staff_audit_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS staff_audit_checkpoints_no_delete BEFORE DELETE
    ON staff_audit_checkpoints BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END""",
)
_POSTGRES_GUARDS = (
    f"""CREATE OR REPLACE FUNCTION staff_audit_guard() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'staff_audit' AND EXISTS (
          SELECT 1 FROM staff_audit_checkpoints c WHERE OLD.id < c.first_kept_id) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION '{_GUARD_MESSAGE}';
    END $$ LANGUAGE plpgsql""",
    """DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'staff_audit_guard') THEN
        CREATE TRIGGER staff_audit_guard BEFORE UPDATE OR DELETE ON staff_audit
          FOR EACH ROW EXECUTE PROCEDURE staff_audit_guard();
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'staff_audit_checkpoints_guard') THEN
        CREATE TRIGGER staff_audit_checkpoints_guard BEFORE UPDATE OR DELETE
          ON staff_audit_checkpoints FOR EACH ROW EXECUTE PROCEDURE staff_audit_guard();
      END IF;
    END $$""",
)


def _columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("staff_audit")}


@functools.lru_cache(maxsize=8)
def prepare(database_url: str) -> None:
    """Bring an existing database up to the chained log, once per process.

    create_all (bot.db) makes new tables but never adds columns, so databases
    from before the chain get prev_hash and entry_hash here. Then the
    append-only triggers. Safe to run from several processes at once.
    """
    engine = engine_for(database_url)
    for column in ("prev_hash", "entry_hash"):
        if column not in _columns(engine):
            try:
                with engine.begin() as connection:
                    connection.exec_driver_sql(
                        f"ALTER TABLE staff_audit ADD COLUMN {column} VARCHAR(64)")
            except DBAPIError:
                if column not in _columns(engine):
                    raise  # not "another process added it first": try again next time
    guards = {"sqlite": _SQLITE_GUARDS, "postgresql": _POSTGRES_GUARDS}.get(engine.dialect.name)
    if guards is None:
        logger.warning("No append-only triggers for %s; the audit chain still shows changes",
                       engine.dialect.name)
        return
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":  # one process at a time creates triggers
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": POSTGRES_LOCK_KEY})
            for statement in guards:
                connection.exec_driver_sql(statement)
    except DBAPIError:
        # E.g. a database role without the right to create triggers: the log
        # still works and verify still finds changes, so do not stop the console.
        logger.exception("Could not install the audit log's append-only triggers")


# --- writing and reading --------------------------------------------------------------------


def record(database_url: str, actor: str, action: str, target: str = "",
           details: dict[str, Any] | None = None) -> None:
    """Append one entry to the chain."""
    prepare(database_url)
    with session_scope(database_url) as session:
        _lock_chain(session)
        _append(session, actor, action, target, details)


def recent(database_url: str, limit: int = 200, action: str = "") -> list[dict[str, Any]]:
    prepare(database_url)
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    with session_scope(database_url) as session:
        return [
            {"id": entry.id, "at": entry.at, "actor": entry.actor, "action": entry.action,
             "target": entry.target, "details": json.loads(entry.details or "{}")}
            for entry in session.execute(query).scalars()
        ]


# --- retention ---------------------------------------------------------------------------


def purge_before(database_url: str, cutoff: dt.datetime) -> int:
    """Remove entries older than cutoff (naive UTC, like every stored time); returns how many.

    The rest still verifies.

    Removes a prefix of the chain, up to the first entry written at or after
    cutoff (an older entry written later, e.g. by a machine whose clock was
    behind, stays). In one transaction under the chain lock: append an
    `audit.purged` entry (so the purge itself is in the log), write the
    checkpoint, then delete.
    """
    prepare(database_url)
    with session_scope(database_url) as session:
        _lock_chain(session)
        boundary = session.execute(
            select(AuditEntry).where(AuditEntry.at >= cutoff).order_by(AuditEntry.id).limit(1)
        ).scalar_one_or_none()
        older = select(func.count()).select_from(AuditEntry)
        if boundary is not None:
            older = older.where(AuditEntry.id < boundary.id)
        removed = session.execute(older).scalar_one()
        if not removed:
            return 0
        # Nothing newer than cutoff: the purge entry itself is the first kept.
        anchor = boundary.prev_hash if boundary is not None else _head_hash(session)
        marker = _append(session, "retention", "audit.purged",
                         f"older than {cutoff:%Y-%m-%d %H:%M} UTC",
                         {"removed": removed, "cutoff": cutoff.isoformat(timespec="seconds"),
                          "chain_continues_from": anchor})
        first_kept = boundary.id if boundary is not None else marker.id
        session.add(AuditCheckpoint(cutoff=cutoff, first_kept_id=first_kept, anchor_hash=anchor,
                                    removed=removed))
        session.flush()  # the delete trigger looks for the checkpoint
        session.execute(delete(AuditEntry).where(AuditEntry.id < first_kept)
                        .execution_options(synchronize_session=False))
    return removed


# --- verifying ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenEntry:
    id: int
    at: dt.datetime
    action: str
    reason: str


@dataclass(frozen=True)
class Verification:
    """What verify found. `legacy` entries predate the chain and cannot be checked."""

    checked: int
    legacy: int
    head_id: int | None
    head_hash: str | None
    checkpoint: AuditCheckpoint | None
    broken: BrokenEntry | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _entries(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    yield from session.execute(query).scalars()


def _problem(entry: AuditEntry, expected: str, seen_hashed: bool,
             checkpoint: AuditCheckpoint | None) -> str | None:
    """Why entry breaks the chain, or None when it is sound."""
    if checkpoint is not None and entry.id < checkpoint.first_kept_id:
        return "it is older than the last purge checkpoint, so it was added afterwards"
    if entry.entry_hash is None:
        if seen_hashed or (checkpoint is not None and checkpoint.anchor_hash):
            return "it has no hash but comes after hashed entries: written outside the console"
        return None
    if _hash_of(entry) != entry.entry_hash:
        return "its content differs from what was written (changed afterwards)"
    if entry.prev_hash != expected:
        if not seen_hashed:
            return ("the chain does not start where it should: earlier entries were removed "
                    "without a purge checkpoint")
        return "it does not follow the entry before it: an entry was removed, added or reordered"
    return None


def verify(database_url: str) -> Verification:
    """Walk the whole chain, oldest first, and stop at the first broken entry."""
    prepare(database_url)
    checked = legacy = 0
    head: AuditEntry | None = None
    broken = None
    with session_scope(database_url) as session:
        checkpoint = _latest_checkpoint(session)
        expected = (checkpoint.anchor_hash if checkpoint else None) or GENESIS
        for entry in _entries(session):
            problem = _problem(entry, expected, head is not None, checkpoint)
            if problem is not None:
                broken = BrokenEntry(entry.id, entry.at, entry.action, problem)
                break
            if entry.entry_hash is None:
                legacy += 1
                continue
            checked += 1
            expected = entry.entry_hash
            head = entry
    return Verification(checked, legacy, head.id if head else None,
                        head.entry_hash if head else None, checkpoint, broken)
