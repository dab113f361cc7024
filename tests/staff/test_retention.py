"""Retention: old conversations, requests and feedback are purged; open requests stay; SQLite is VACUUMed."""
from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from bot.__main__ import main as bot_main
from bot.db import session_scope
from bot.handoff import store
from bot.models import Feedback, Handoff, utcnow
from bot.staff import audit, retention
from staff_helpers import add_events, callback, count_events
from tracker_helpers import store_conversation, stored_events, user, write_endpoints


def age(database_url: str, reference: str, days: int, close: bool) -> None:
    with session_scope(database_url) as session:
        handoff = session.query(Handoff).filter_by(reference=reference).one()
        handoff.created_at = utcnow() - dt.timedelta(days=days)
        if close:
            handoff.status, handoff.closed_at = "closed", utcnow() - dt.timedelta(days=days)


def test_purge_removes_what_is_older_than_the_retention_period(console):
    add_events(console.tracker_db_url, [
        {"type": "user", "text": "old question", "age_days": 120},
        {"type": "bot", "text": "old answer", "age_days": 91},
        {"type": "user", "text": "new question", "age_days": 10},
    ])
    old_closed = callback(console.database_url)
    old_open = callback(console.database_url)
    new_closed = callback(console.database_url)
    age(console.database_url, old_closed, 100, close=True)
    age(console.database_url, old_open, 100, close=False)
    age(console.database_url, new_closed, 5, close=True)

    result = retention.purge(console.database_url, console.tracker_db_url, retention_days=90)

    assert (result.events, result.handoffs) == (2, 1)
    assert count_events(console.tracker_db_url) == 1
    remaining = {h.reference for h in store.queue(console.database_url, include_closed=True)}
    assert remaining == {old_open, new_closed}
    assert audit.recent(console.database_url, action="privacy.purge")[0]["details"]["events"] == 2


def test_purge_command(console, capsys):
    add_events(console.tracker_db_url, [{"type": "user", "text": "old", "age_days": 40}])
    assert bot_main(["purge", "--days", "30"]) == 0
    assert "Removed 1 conversation events" in capsys.readouterr().out
    assert count_events(console.tracker_db_url) == 0


def test_purge_without_a_conversation_store_does_nothing(console):
    assert retention.purge(console.database_url, console.tracker_db_url, 90).events == 0


def test_the_scheduler_purges_at_start_and_then_periodically(console):
    add_events(console.tracker_db_url, [{"type": "user", "text": "old", "age_days": 100}])
    stop = retention.start_scheduler(console.database_url, console.tracker_db_url, 90, interval=0.2)
    try:
        deadline = time.monotonic() + 10
        while len(audit.recent(console.database_url, action="privacy.purge")) < 2:
            assert time.monotonic() < deadline, "the scheduler did not run twice"
            time.sleep(0.05)
    finally:
        stop.set()
    assert count_events(console.tracker_db_url) == 0


# --- feedback, requests left "contacted", VACUUM, masking again -------------

PHONE = "(555) 201-3344"


def feedback(database_url: str, days: int) -> None:
    with session_scope(database_url) as session:
        session.add(Feedback(conversation_id="visitor-1", answer_id="about_history", helpful=False,
                             created_at=utcnow() - dt.timedelta(days=days)))


def test_purge_removes_feedback_older_than_the_retention_period(console):
    feedback(console.database_url, 100)
    feedback(console.database_url, 10)

    result = retention.purge(console.database_url, None, retention_days=90)

    assert result.feedback == 1
    with session_scope(console.database_url) as session:
        assert session.query(Feedback).count() == 1
    assert audit.recent(console.database_url, action="privacy.purge")[0]["details"]["feedback"] == 1


def test_requests_left_contacted_past_the_period_are_deleted_and_their_conversation_masked(console):
    # the visitor came back 5 days ago and typed the number again
    store_conversation(Path(console.settings.endpoints_file), "visitor-1",
                       [user("call me", age_days=100), user(f"still waiting, {PHONE}", age_days=5)])
    stale, recent, waiting = (callback(console.database_url) for _ in range(3))
    for reference, days in ((stale, 100), (recent, 10)):
        store.update_status(console.database_url, reference, "contacted", "desk@clinic.example")
        age(console.database_url, reference, days, close=False)
    age(console.database_url, waiting, 100, close=False)  # still open: someone waits for a call

    result = retention.purge(console.database_url, None, retention_days=90)

    assert (result.contacted, result.handoffs) == (1, 0)
    remaining = {h.reference for h in store.queue(console.database_url, include_closed=True)}
    assert remaining == {recent, waiting}
    assert [e["data"]["text"] for e in stored_events(console.tracker_db_url)] == ["still waiting, [phone]"]
    details = audit.recent(console.database_url, action="privacy.purge")[0]["details"]
    assert (details["contacted_requests"], details["masked_events"], details["events"]) == (1, 1, 1)


def file_bytes(url: str) -> bytes:
    """The database file and its write-ahead log, as anyone with the disk could read them."""
    path = Path(url[len("sqlite:///"):])
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_purge_vacuums_sqlite_files_so_deleted_rows_cannot_be_read_back(sqlite_keeps_deleted_bytes, console):
    request_marker, conversation_marker = "zq.marker.4471@mail.example", "zq-conversation-marker"
    store_conversation(Path(console.settings.endpoints_file), "old-visitor",
                       [user(f"{conversation_marker} about my treatment", age_days=120)])
    old = callback(console.database_url, contact=request_marker)
    age(console.database_url, old, 100, close=True)
    assert request_marker.encode() in file_bytes(console.database_url)
    assert conversation_marker.encode() in file_bytes(console.tracker_db_url)

    result = retention.purge(console.database_url, None, retention_days=90)

    assert (result.handoffs, result.events) == (1, 1)
    assert result.vacuumed == ("project database", "conversation store")
    assert request_marker.encode() not in file_bytes(console.database_url)
    assert conversation_marker.encode() not in file_bytes(console.tracker_db_url)
    details = audit.recent(console.database_url, action="privacy.purge")[0]["details"]
    assert details["vacuumed"] == ["project database", "conversation store"]


def test_the_daily_run_masks_what_closing_could_not(console, tmp_path, monkeypatch):
    endpoints = Path(console.settings.endpoints_file)
    store_conversation(endpoints, "visitor-1", [user(f"call me at {PHONE}")])
    reference = callback(console.database_url)
    monkeypatch.setenv("ENDPOINTS_FILE", str(write_endpoints(tmp_path / "broken.yml",
                                                             {"type": "redis", "url": "localhost"})))
    store.update_status(console.database_url, reference, "closed", "desk@clinic.example")
    assert audit.recent(console.database_url, action="privacy.mask_failed")
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))  # the store is back

    result = retention.purge(console.database_url, None, retention_days=90)

    assert result.masked_events == 1 and result.complete
    assert stored_events(console.tracker_db_url)[0]["data"]["text"] == "call me at [phone]"


def test_audit_entries_past_their_own_longer_period_go_and_the_chain_still_verifies(console):
    audit.record(console.database_url, "desk@clinic.example", "callback.viewed", "ABC234")
    soon = retention.purge(console.database_url, None, retention_days=90)
    assert soon.audit_entries == 0, "within six years nothing of the audit log goes"
    years_later = utcnow() + dt.timedelta(days=6 * 365 + 1)
    later = retention.purge(console.database_url, None, retention_days=90, now=years_later)
    assert later.audit_entries >= 2
    assert audit.verify(console.database_url).ok
