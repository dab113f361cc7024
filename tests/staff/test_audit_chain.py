"""The audit log is append-only and hash-chained; verify names the first broken entry."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from bot.__main__ import main as bot_main
from bot.db import session_scope
from bot.models import AuditCheckpoint, AuditEntry, utcnow
from bot.staff import audit
from staff_helpers import ROOT


def rows(database_url: str) -> list[AuditEntry]:
    with session_scope(database_url) as session:
        return list(session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars())


def write(database_url: str, count: int, action: str = "test.entry") -> None:
    for n in range(count):
        audit.record(database_url, "Jo Park, RN <jo@clinic.example>", action, f"item {n}",
                     {"n": n, "note": "call 555-201-3344"})


def raw(database_url: str, statement: str, **params) -> None:
    """SQL straight at the file, as someone with access to the database could."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), params)
    finally:
        engine.dispose()


def drop_guards(database_url: str) -> None:
    for trigger in ("staff_audit_no_update", "staff_audit_no_delete"):
        raw(database_url, f"DROP TRIGGER {trigger}")


def test_each_entry_carries_the_hash_of_the_one_before(console):
    write(console.database_url, 3)
    entries = rows(console.database_url)
    assert entries[0].prev_hash == "0" * 64
    for before, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == before.entry_hash
    first = entries[0]
    # The documented serialisation, computed independently of the code under test.
    canonical = json.dumps({"action": first.action, "actor": first.actor,
                            "at": first.at.isoformat(timespec="microseconds"),
                            "details": first.details, "prev": first.prev_hash,
                            "target": first.target}, separators=(",", ":"))
    assert first.entry_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert "555-201-3344" not in first.details  # still masked before it is hashed


def test_verify_passes_on_an_intact_log(console, capsys):
    write(console.database_url, 5)
    result = audit.verify(console.database_url)
    assert result.ok and result.checked == 5 and result.legacy == 0
    assert bot_main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "Audit log intact: 5 entries verified" in out and result.head_hash in out


def test_the_database_refuses_updates_and_deletes(console):
    write(console.database_url, 2)
    for statement in ("UPDATE staff_audit SET details = '{}' WHERE id = 1",
                      "DELETE FROM staff_audit WHERE id = 1",
                      "DELETE FROM staff_audit"):
        with pytest.raises(DBAPIError, match="append-only"):
            raw(console.database_url, statement)
    with pytest.raises(RuntimeError, match="append-only"), session_scope(console.database_url) as session:
        session.get(AuditEntry, 1).details = '{"n": 99}'
    with pytest.raises(RuntimeError, match="append-only"), session_scope(console.database_url) as session:
        session.delete(session.get(AuditEntry, 2))
    assert audit.verify(console.database_url).ok and len(rows(console.database_url)) == 2


def test_verify_names_the_first_changed_entry(console, capsys):
    write(console.database_url, 5)
    drop_guards(console.database_url)
    raw(console.database_url, "UPDATE staff_audit SET actor = 'someone else' WHERE id = 3")
    raw(console.database_url, "UPDATE staff_audit SET target = 'later change' WHERE id = 4")
    result = audit.verify(console.database_url)
    assert result.broken.id == 3 and "content differs" in result.broken.reason
    assert result.checked == 2
    assert bot_main(["audit", "verify"]) == 1
    assert "BROKEN at entry #3" in capsys.readouterr().out


def test_verify_finds_a_removed_entry(console):
    write(console.database_url, 5)
    drop_guards(console.database_url)
    raw(console.database_url, "DELETE FROM staff_audit WHERE id = 2")
    broken = audit.verify(console.database_url).broken
    assert broken.id == 3 and "does not follow" in broken.reason


def test_verify_finds_removed_oldest_entries(console):
    write(console.database_url, 3)
    drop_guards(console.database_url)
    raw(console.database_url, "DELETE FROM staff_audit WHERE id = 1")
    broken = audit.verify(console.database_url).broken
    assert broken.id == 2 and "without a purge checkpoint" in broken.reason


def test_a_rewritten_entry_with_a_fresh_hash_is_still_found(console):
    write(console.database_url, 4)
    drop_guards(console.database_url)
    entry = rows(console.database_url)[1]
    forged = audit.entry_hash(entry.prev_hash, entry.at, entry.actor, entry.action, "forged",
                              entry.details)
    raw(console.database_url, "UPDATE staff_audit SET target = 'forged', entry_hash = :h WHERE id = 2",
        h=forged)
    broken = audit.verify(console.database_url).broken
    assert broken.id == 3 and "does not follow" in broken.reason


def test_inserted_entries_are_found(console):
    write(console.database_url, 3)
    raw(console.database_url, "INSERT INTO staff_audit (at, actor, action, target, details) "
                              "VALUES (:at, 'x', 'staff.roles', '', '{}')", at=utcnow())
    broken = audit.verify(console.database_url).broken
    assert broken.id == 4 and "no hash" in broken.reason


WRITER = """
import sys, time
from pathlib import Path
from bot.staff import audit
url, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
audit.prepare(url)
while not go.exists():
    time.sleep(0.005)
for n in range(count):
    audit.record(url, name, "test.concurrent", str(n))
"""


def test_two_processes_writing_at_once_do_not_fork_the_chain(console, tmp_path):
    audit.record(console.database_url, "setup", "test.start")
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, console.database_url, f"writer {w}",
                                 "25", str(go)], env=env, cwd=ROOT) for w in range(3)]
    time.sleep(3)  # let them import, then start them together
    go.touch()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
    entries = rows(console.database_url)
    assert len(entries) == 76
    assert len({entry.prev_hash for entry in entries}) == 76, "two entries chain from one"
    assert audit.verify(console.database_url).ok


def write_at(monkeypatch, database_url: str, when: dt.datetime, count: int, action: str) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(audit, "utcnow", lambda: when)
        write(database_url, count, action)


def test_purge_before_removes_old_entries_and_the_rest_still_verifies(console, monkeypatch, capsys):
    now = utcnow()
    write_at(monkeypatch, console.database_url, now - dt.timedelta(days=400), 3, "test.old")
    write_at(monkeypatch, console.database_url, now - dt.timedelta(days=10), 2, "test.new")
    cutoff = now - dt.timedelta(days=365)
    assert audit.purge_before(console.database_url, cutoff) == 3
    kept = rows(console.database_url)
    assert [e.action for e in kept] == ["test.new", "test.new", "audit.purged"]
    assert kept[-1].actor == "retention" and kept[-1].details.count('"removed": 3')
    result = audit.verify(console.database_url)
    assert result.ok and result.checked == 3 and result.checkpoint.first_kept_id == 4
    with session_scope(console.database_url) as session:
        checkpoint = session.execute(select(AuditCheckpoint)).scalar_one()
        assert checkpoint.anchor_hash == kept[0].prev_hash and checkpoint.removed == 3
    assert audit.purge_before(console.database_url, cutoff) == 0  # nothing more, no new entry
    write(console.database_url, 1)
    assert audit.verify(console.database_url).ok
    assert bot_main(["audit", "verify"]) == 0
    assert "removed by the retention purge" in capsys.readouterr().out


def test_purging_everything_keeps_the_purge_entry_and_the_chain(console):
    write(console.database_url, 4)
    assert audit.purge_before(console.database_url, utcnow() + dt.timedelta(days=1)) == 4
    assert [e.action for e in rows(console.database_url)] == ["audit.purged"]
    write(console.database_url, 2)
    assert audit.purge_before(console.database_url, utcnow() + dt.timedelta(days=1)) == 3
    write(console.database_url, 1)
    result = audit.verify(console.database_url)
    assert result.ok and result.checked == 2


def test_a_purge_cannot_hide_an_earlier_change(console, monkeypatch):
    now = utcnow()
    write_at(monkeypatch, console.database_url, now - dt.timedelta(days=400), 2, "test.old")
    write_at(monkeypatch, console.database_url, now - dt.timedelta(days=1), 3, "test.new")
    drop_guards(console.database_url)
    raw(console.database_url, "UPDATE staff_audit SET actor = 'someone else' WHERE id = 4")
    audit.purge_before(console.database_url, now - dt.timedelta(days=365))
    assert audit.verify(console.database_url).broken.id == 4


def test_an_old_database_gets_the_chain_and_its_old_entries_are_counted(tmp_path, capsys,
                                                                         monkeypatch):
    database_url = f"sqlite:///{tmp_path / 'old.db'}"
    raw(database_url, "CREATE TABLE staff_audit (id INTEGER PRIMARY KEY, at DATETIME NOT NULL, "
                      "actor VARCHAR(254) NOT NULL, action VARCHAR(64) NOT NULL, "
                      "target VARCHAR(160) NOT NULL, details TEXT NOT NULL)")
    for n in range(2):
        raw(database_url, "INSERT INTO staff_audit (at, actor, action, target, details) "
                          "VALUES (:at, 'old', 'staff.user_added', :t, '{}')", at=utcnow(), t=str(n))
    write(database_url, 2)
    result = audit.verify(database_url)
    assert result.ok and (result.legacy, result.checked) == (2, 2)
    assert [e.entry_hash is None for e in rows(database_url)] == [True, True, False, False]
    assert rows(database_url)[2].prev_hash == "0" * 64  # the chain starts after them
    assert [e["target"] for e in audit.recent(database_url)][-2:] == ["1", "0"]
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert bot_main(["audit", "verify"]) == 0
    assert "2 entries predate the hash chain" in capsys.readouterr().out


def test_postgresql_gets_the_same_lock_guards_and_purge(postgres, tmp_path):
    """The advisory lock, the plpgsql guard and the purge, on a throwaway PostgreSQL server."""
    database_url = postgres.url
    write(database_url, 3)
    with pytest.raises(DBAPIError, match="append-only"):
        raw(database_url, "UPDATE staff_audit SET actor = 'x'")
    with pytest.raises(DBAPIError, match="append-only"):
        raw(database_url, "DELETE FROM staff_audit")
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, database_url, f"writer {w}", "20",
                                 str(go)], env=env, cwd=ROOT) for w in range(3)]
    time.sleep(3)
    go.touch()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0]
    entries = rows(database_url)
    assert len({entry.prev_hash for entry in entries}) == len(entries) == 63
    assert audit.verify(database_url).ok
    assert audit.purge_before(database_url, utcnow() + dt.timedelta(days=1)) == 63
    write(database_url, 1)
    assert audit.verify(database_url).ok
