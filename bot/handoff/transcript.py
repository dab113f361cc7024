"""A readable transcript of a conversation, for the staff who call back."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from bot.privacy import mask_contact_details

MAX_TURNS = 60


def transcript_from_events(events: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """User and bot messages from Rasa tracker events, contact details masked.

    Staff messages of a live chat are "staff" turns with the staff member's
    first name. Form answers are part of the events too; masking keeps the phone number
    and email out of the transcript, so they live only in the callback record.
    """
    turns = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        timestamp = event.get("timestamp")
        custom = ((event.get("data") or {}).get("custom") or {}) if kind == "bot" else {}
        # A staff member's message in a live chat (bot/handoff/live.py).
        staff = custom.get("kind") == "live_staff"
        turns.append(
            {
                "who": "visitor" if kind == "user" else "staff" if staff else "assistant",
                **({"name": str(custom.get("staff_name") or "")} if staff else {}),
                "text": mask_contact_details(str(event["text"])),
                "at": dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat()
                if isinstance(timestamp, (int, float))
                else "",
            }
        )
    return turns[-MAX_TURNS:]
