"""Retention: old conversations and closed requests are purged; open requests stay."""
from __future__ import annotations

import datetime as dt
import logging
import time

from bot.__main__ import main as bot_main
from bot.db import session_scope
from bot.handoff import store
from bot.models import Handoff, utcnow
from bot.staff import audit, retention
from bot.staff.log_masking import MaskContactDetails
from staff_helpers import add_events, callback, count_events


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


def test_the_logging_filter_masks_phone_numbers_and_emails(caplog):
    logger = logging.getLogger("test.staff.masking")
    handler_filter = MaskContactDetails()
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("Callback for %s at %s", "jo@mail.example", "(555) 201-3344")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "jo@mail.example" not in caplog.text and "201-3344" not in caplog.text
    assert "[email]" in caplog.text and "[phone]" in caplog.text


def test_install_masks_every_handler_of_the_logger():
    import io

    logger = logging.getLogger("test.staff.install")
    logger.propagate = False
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    from bot.staff import log_masking

    log_masking.install(logger)
    logger.error("visitor wrote: email me at sam@mail.example or 555 201 3344")
    assert stream.getvalue().strip() == "visitor wrote: email me at [email] or [phone]"
