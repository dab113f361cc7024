"""Keeping conversations only as long as the clinic decided (RETENTION_DAYS).

What goes after the retention period: Rasa's conversation events, closed
callback requests and crisis flags, and old sign-in records. Open requests
stay until staff close them: deleting one would lose a person waiting for a
call. The console runs this at start-up and every 24 hours; `python -m bot
purge` runs it on demand (e.g. from cron when the console is not running).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from sqlalchemy import delete

from bot.db import session_scope
from bot.models import Handoff, utcnow
from bot.staff import accounts, audit, safety_review
from bot.staff.conversations import purge_events

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class PurgeResult:
    cutoff: dt.datetime
    events: int
    handoffs: int
    sign_ins: int


def purge(database_url: str, tracker_db_url: str, retention_days: int,
          now: dt.datetime | None = None, actor: str = "retention job") -> PurgeResult:
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=retention_days)
    events = purge_events(tracker_db_url, cutoff.replace(tzinfo=dt.timezone.utc).timestamp())
    with session_scope(database_url) as session:
        handoffs = session.execute(delete(Handoff).where(
            Handoff.status == "closed", Handoff.closed_at < cutoff)).rowcount or 0
    sign_ins = accounts.purge_sign_in_records(database_url, cutoff)
    safety_review.purge_reviews(database_url, cutoff)
    result = PurgeResult(cutoff, events, handoffs, sign_ins)
    audit.record(database_url, actor, "privacy.purge", f"older than {retention_days} days",
                 {"cutoff": cutoff.isoformat(timespec="seconds"), "events": events,
                  "closed_requests": handoffs, "sign_in_records": sign_ins})
    logger.info("Retention purge: %d events, %d closed requests, %d sign-in records older "
                "than %s removed", events, handoffs, sign_ins, cutoff.date())
    return result


def start_scheduler(database_url: str, tracker_db_url: str, retention_days: int,
                    interval: float = INTERVAL_SECONDS) -> threading.Event:
    """Purge now and then every interval seconds in a daemon thread; set the event to stop."""
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
