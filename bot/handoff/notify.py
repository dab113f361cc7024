"""Telling staff a request is waiting: a JSON POST to a configurable webhook.

The webhook carries no health details and no contact details, only the
reference, urgency and kind; staff open the request in the console. A failed
notification never loses the request: it is already in the database, and the
queue shows it as not yet notified.
"""
from __future__ import annotations

import logging

import aiohttp

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


async def notify_staff(webhook_url: str, reference: str, kind: str, urgent: bool) -> bool:
    """POST the notification; True when the receiver answered 2xx."""
    if not webhook_url:
        return False
    payload = {"event": "handoff_created", "reference": reference, "kind": kind, "urgent": urgent}
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(webhook_url, json=payload) as response:
                if 200 <= response.status < 300:
                    return True
                logger.warning("Staff webhook answered %s for %s", response.status, reference)
    except (aiohttp.ClientError, TimeoutError, OSError) as error:
        logger.warning("Staff webhook failed for %s: %s", reference, error)
    return False
